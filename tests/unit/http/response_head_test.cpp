// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "http/response_head.hpp"
#include "http/status.hpp"

namespace learnhttpd::http {
namespace {

constexpr std::string_view kDate = "Sun, 06 Nov 1994 08:49:37 GMT";

TEST(ResponseHead, SerialisesA200) {
  ResponseHead h;
  h.date = kDate;
  h.content_length = 1234;
  h.content_type = "text/html";
  h.last_modified = 784111777 - 3600;
  std::string out = "previous;";
  appendResponseHead(h, out);
  EXPECT_EQ(out,
            "previous;"
            "HTTP/1.1 200 OK\r\n"
            "Server: learnhttpd\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/html\r\n"
            "Content-Length: 1234\r\n"
            "Last-Modified: Sun, 06 Nov 1994 07:49:37 GMT\r\n"
            "Connection: keep-alive\r\n"
            "\r\n");
}

TEST(ResponseHead, SerialisesA405) {
  ResponseHead h;
  h.status = Status::MethodNotAllowed;
  h.version_minor = 0;
  h.date = kDate;
  h.keep_alive = false;
  h.content_type = "text/html";
  h.content_length = errorBody(Status::MethodNotAllowed).size();
  h.allow = "GET, HEAD";
  std::string out;
  appendResponseHead(h, out);
  EXPECT_EQ(out,
            "HTTP/1.0 405 Method Not Allowed\r\n"
            "Server: learnhttpd\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/html\r\n"
            "Content-Length: " +
                std::to_string(errorBody(Status::MethodNotAllowed).size()) +
                "\r\n"
                "Allow: GET, HEAD\r\n"
                "Connection: close\r\n"
                "\r\n");
}

// RFC 9110 section 8.6: a 204 must not carry Content-Length, whatever the field says.
TEST(ResponseHead, SerialisesA204WithoutContentLength) {
  ResponseHead h;
  h.status = Status::NoContent;
  h.date = kDate;
  h.content_length = 5;
  h.allow = "GET, HEAD, OPTIONS";
  std::string out;
  appendResponseHead(h, out);
  EXPECT_EQ(out,
            "HTTP/1.1 204 No Content\r\n"
            "Server: learnhttpd\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Allow: GET, HEAD, OPTIONS\r\n"
            "Connection: keep-alive\r\n"
            "\r\n");
}

TEST(ResponseHead, SerialisesA304WithoutContentLength) {
  ResponseHead h;
  h.status = Status::NotModified;
  h.date = kDate;
  h.content_length = 999;
  h.last_modified = 784111777;
  std::string out;
  appendResponseHead(h, out);
  EXPECT_EQ(out,
            "HTTP/1.1 304 Not Modified\r\n"
            "Server: learnhttpd\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Connection: keep-alive\r\n"
            "\r\n");
}

TEST(ResponseHead, RedirectCarriesLocationAndBigLengths) {
  ResponseHead h;
  h.status = Status::MovedPermanently;
  h.date = kDate;
  h.location = "/dir/";
  h.content_length = 18446744073709551615ULL;
  std::string out;
  appendResponseHead(h, out);
  EXPECT_NE(out.find("HTTP/1.1 301 Moved Permanently\r\n"), std::string::npos);
  EXPECT_NE(out.find("\r\nContent-Length: 18446744073709551615\r\n"), std::string::npos);
  EXPECT_NE(out.find("\r\nLocation: /dir/\r\n"), std::string::npos);
  EXPECT_EQ(out.find("Last-Modified"), std::string::npos);
  EXPECT_EQ(out.find("Content-Type"), std::string::npos);
}

// forEachField is what both protocols write: every field of a head full of them, in order, as
// HTTP/1.1 serialises it (then only Connection, the connection's own, is added).
struct Collect {
  std::string lines;
  int extras = 0;
  void field(const FieldName& name, std::string_view value) {
    EXPECT_EQ(name.http2, [&] {
      std::string lower(name.http1);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return lower;
    }());
    lines.append(name.http1).append(": ").append(value).append("\r\n");
  }
  void extra(std::string_view fields) {
    ++extras;
    lines.append(fields);
  }
};

TEST(ResponseHead, FieldsAreTheSameForEveryProtocol) {
  ResponseHead h;
  h.status = Status::PartialContent;
  h.date = kDate;
  h.content_type = "text/plain";
  h.content_encoding = "br";
  h.vary_accept_encoding = true;
  h.extra_fields = "Cache-Control: no-cache\r\nX-A: b\r\n";
  h.last_modified = 784111777;
  h.etag = "\"x\"";
  h.location = "/l";
  h.allow = "GET";
  h.accept_ranges = true;
  h.complete_length = 18446744073709551615ULL >> 1;
  h.range_first = 18446744073709551615ULL >> 2;
  h.range_last = (18446744073709551615ULL >> 1) - 1;
  h.content_length = h.range_last - h.range_first + 1;
  Collect collected;
  forEachField(h, collected);
  EXPECT_EQ(collected.extras, 1);
  std::string head;
  appendResponseHead(h, head);
  const std::string expected =
      "HTTP/1.1 206 Partial Content\r\n" + collected.lines + "Connection: keep-alive\r\n\r\n";
  EXPECT_EQ(head, expected);
  EXPECT_NE(collected.lines.find("Content-Range: bytes 4611686018427387903-9223372036854775806/"
                                 "9223372036854775807\r\n"),
            std::string::npos);
  h.status = Status::RangeNotSatisfiable;
  h.complete_length = 5;
  collected = {};
  forEachField(h, collected);
  EXPECT_NE(collected.lines.find("Content-Range: bytes */5\r\n"), std::string::npos);
}

TEST(KeepAlive, FollowsRfc9112Defaults) {
  Request r;
  r.version_minor = 1;
  EXPECT_TRUE(wantsKeepAlive(r));
  r.connection = ConnectionOption::Close;
  EXPECT_FALSE(wantsKeepAlive(r));
  r.connection = ConnectionOption::KeepAlive;
  EXPECT_TRUE(wantsKeepAlive(r));

  r.version_minor = 0;
  r.connection = ConnectionOption::Unspecified;
  EXPECT_FALSE(wantsKeepAlive(r));
  r.connection = ConnectionOption::KeepAlive;
  EXPECT_TRUE(wantsKeepAlive(r));
  r.connection = ConnectionOption::Close;
  EXPECT_FALSE(wantsKeepAlive(r));
}

TEST(Status, ReasonPhrases) {
  EXPECT_EQ(reasonPhrase(Status::Ok), "OK");
  EXPECT_EQ(reasonPhrase(Status::NotFound), "Not Found");
  EXPECT_EQ(reasonPhrase(Status::UriTooLong), "URI Too Long");
  EXPECT_EQ(reasonPhrase(Status::RequestHeaderFieldsTooLarge), "Request Header Fields Too Large");
  EXPECT_EQ(reasonPhrase(Status::HttpVersionNotSupported), "HTTP Version Not Supported");
  for (Status s : kAllStatuses) EXPECT_FALSE(reasonPhrase(s).empty()) << code(s);
}

TEST(ErrorBody, NamesTheStatus) {
  for (Status s : kAllStatuses) {
    const std::string title = std::to_string(code(s)) + " " + std::string(reasonPhrase(s));
    const std::string_view body = errorBody(s);
    EXPECT_NE(body.find("<title>" + title + "</title>"), std::string_view::npos) << title;
    EXPECT_NE(body.find("<h1>" + title + "</h1>"), std::string_view::npos) << title;
    EXPECT_NE(body.find("<p>" + std::string(explanation(s)) + "</p>"), std::string_view::npos)
        << title;
    EXPECT_NE(body.find("<footer>learnhttpd</footer>"), std::string_view::npos) << title;
  }
  EXPECT_EQ(errorBody(Status::NotFound).data(), errorBody(Status::NotFound).data());
}

// Small, styled and self-contained: HTML5 with its charset, CSS inline, nothing to fetch.
TEST(ErrorBody, IsASmallSelfContainedHtml5Page) {
  for (Status s : kAllStatuses) {
    const std::string_view body = errorBody(s);
    EXPECT_TRUE(
        body.starts_with("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"))
        << code(s);
    EXPECT_TRUE(body.ends_with("</body></html>\n")) << code(s);
    EXPECT_NE(body.find("<style>"), std::string_view::npos) << code(s);
    EXPECT_GT(body.size(), 200U) << code(s);
    EXPECT_LT(body.size(), 1024U) << code(s);
    for (std::string_view external : {"src=", "href=", "url(", "@import", "//"}) {
      EXPECT_EQ(body.find(external), std::string_view::npos) << code(s) << " " << external;
    }
  }
}

TEST(ErrorBody, ExplanationsNeedNoEscaping) {
  for (Status s : kAllStatuses) {
    const std::string_view text = explanation(s);
    EXPECT_FALSE(text.empty()) << code(s);
    EXPECT_EQ(text.find_first_of("<>&\"'"), std::string_view::npos) << code(s);
    EXPECT_TRUE(std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; }))
        << code(s);
  }
}

}  // namespace
}  // namespace learnhttpd::http
