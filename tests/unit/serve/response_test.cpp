// SPDX-License-Identifier: MIT
// Response, the one description of an answer: each way of filling it, serialised by
// http::appendResponseHead, gives exactly the head the server sends, and names the body that
// follows it. No sockets: the description is a value.

#include "serve/response.hpp"

#include <fcntl.h>

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "http/response_head.hpp"

namespace learnhttpd::serve {
namespace {

constexpr std::string_view kDate = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr std::time_t kMtime = 784111777;             // the same instant; 0x2ebc98a1
constexpr std::string_view kEtag = "\"2ebc98a1-a\"";  // for kMtime and 10 bytes

std::string serialise(Response& response) {
  response.head.date = kDate;
  std::string out;
  http::appendResponseHead(response.head, out);
  return out;
}

std::string pageLength(http::Status status) {
  return std::to_string(http::errorBody(status).size());
}

TEST(Response, WholeFile) {
  Response r;
  r.setFile(10, kMtime, "text/plain");
  EXPECT_EQ(serialise(r),
            "HTTP/1.1 200 OK\r\n"
            "Server: learnhttpd\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 10\r\n"
            "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "ETag: \"2ebc98a1-a\"\r\n"
            "Accept-Ranges: bytes\r\n"
            "Connection: keep-alive\r\n"
            "\r\n");
  EXPECT_EQ(r.body, BodySource::File);
  EXPECT_EQ(r.head.range_first, 0u);  // the body starts at the file's first byte
  EXPECT_EQ(r.bodyLength(), 10u);
}

TEST(Response, NotModifiedKeepsTheValidatorsOnly) {
  Response r;
  r.file = base::UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(r.file);
  r.setFile(10, kMtime, "text/plain");
  EXPECT_EQ(r.head.etag, kEtag);
  r.setNotModified();
  EXPECT_EQ(serialise(r),
            "HTTP/1.1 304 Not Modified\r\n"
            "Server: learnhttpd\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "ETag: \"2ebc98a1-a\"\r\n"
            "Connection: keep-alive\r\n"
            "\r\n");
  EXPECT_EQ(r.body, BodySource::None);
  EXPECT_EQ(r.bodyLength(), 0u);
  EXPECT_FALSE(r.file);  // nothing of the file is sent, so it is not kept open
}

TEST(Response, RangeNamesThePartAndStartsTheBodyThere) {
  Response r;
  r.head.version_minor = 0;
  r.head.keep_alive = false;
  r.setFile(10, kMtime, "text/plain");
  r.setRange(2, 4);
  EXPECT_EQ(serialise(r),
            "HTTP/1.0 206 Partial Content\r\n"
            "Server: learnhttpd\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 3\r\n"
            "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "ETag: \"2ebc98a1-a\"\r\n"
            "Accept-Ranges: bytes\r\n"
            "Content-Range: bytes 2-4/10\r\n"
            "Connection: close\r\n"
            "\r\n");
  EXPECT_EQ(r.body, BodySource::File);
  EXPECT_EQ(r.head.range_first, 2u);
  EXPECT_EQ(r.bodyLength(), 3u);
}

TEST(Response, UnsatisfiableRangeIsAPageNamingTheLength) {
  Response r;
  r.setFile(10, kMtime, "text/plain");
  r.setUnsatisfiable();
  EXPECT_EQ(serialise(r),
            "HTTP/1.1 416 Range Not Satisfiable\r\n"
            "Server: learnhttpd\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/html\r\n"
            "Content-Length: " +
                pageLength(http::Status::RangeNotSatisfiable) +
                "\r\n"
                "Content-Range: bytes */10\r\n"
                "Connection: keep-alive\r\n"
                "\r\n");
  EXPECT_EQ(r.body, BodySource::Page);
  EXPECT_EQ(r.page, http::errorBody(http::Status::RangeNotSatisfiable));
  EXPECT_EQ(r.bodyLength(), r.page.size());
}

TEST(Response, ErrorPageAfterAFileDropsFileAndValidators) {
  Response r;
  r.file = base::UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  r.setFile(10, kMtime, "text/plain");
  r.setPage(http::Status::NotFound);
  r.head.keep_alive = false;
  EXPECT_EQ(serialise(r),
            "HTTP/1.1 404 Not Found\r\n"
            "Server: learnhttpd\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/html\r\n"
            "Content-Length: " +
                pageLength(http::Status::NotFound) +
                "\r\n"
                "Connection: close\r\n"
                "\r\n");
  EXPECT_FALSE(r.file);
  EXPECT_EQ(r.body, BodySource::Page);
}

TEST(Response, RedirectAndMethodNotAllowedCarryTheirFields) {
  Response redirect;
  redirect.setRedirect("/dir/?q=1");
  std::string head = serialise(redirect);
  EXPECT_EQ(head.rfind("HTTP/1.1 301 Moved Permanently\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("\r\nLocation: /dir/?q=1\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nContent-Length: " + pageLength(http::Status::MovedPermanently) + "\r\n"),
            std::string::npos)
      << head;
  EXPECT_EQ(redirect.page, http::errorBody(http::Status::MovedPermanently));

  Response refused;
  refused.setMethodNotAllowed();
  head = serialise(refused);
  EXPECT_EQ(head.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("\r\nAllow: GET, HEAD, OPTIONS\r\n"), std::string::npos) << head;
  EXPECT_EQ(refused.body, BodySource::Page);
}

TEST(Response, OptionsIsA204WithAllowAndNothingElse) {
  Response options;
  options.setOptions();
  EXPECT_EQ(serialise(options),
            "HTTP/1.1 204 No Content\r\n"
            "Server: learnhttpd\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Allow: GET, HEAD, OPTIONS\r\n"
            "Connection: keep-alive\r\n"
            "\r\n");
  EXPECT_EQ(options.body, BodySource::None);
  EXPECT_EQ(options.bodyLength(), 0u);
}

TEST(Response, HeadRequestKeepsTheHeadOfGetWithoutABody) {
  Response get;
  get.setFile(10, kMtime, "text/plain");
  Response head_only;
  head_only.setFile(10, kMtime, "text/plain");
  head_only.omitBody();
  EXPECT_EQ(serialise(head_only), serialise(get));
  EXPECT_EQ(head_only.bodyLength(), 0u);  // what the access log records
  EXPECT_EQ(get.bodyLength(), 10u);
}

TEST(Response, EmptyFileHasAnEmptyBody) {
  Response r;
  r.setFile(0, kMtime, "text/plain");
  EXPECT_NE(serialise(r).find("\r\nContent-Length: 0\r\n"), std::string::npos);
  EXPECT_EQ(r.bodyLength(), 0u);
}

}  // namespace
}  // namespace learnhttpd::serve
