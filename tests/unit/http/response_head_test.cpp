// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

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
  EXPECT_EQ(errorBody(Status::NotFound),
            "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body>"
            "</html>\n");
  for (Status s : kAllStatuses) {
    const std::string title = std::to_string(code(s)) + " " + std::string(reasonPhrase(s));
    EXPECT_NE(errorBody(s).find("<title>" + title + "</title>"), std::string_view::npos) << title;
  }
  EXPECT_EQ(errorBody(Status::NotFound).data(), errorBody(Status::NotFound).data());
}

}  // namespace
}  // namespace learnhttpd::http
