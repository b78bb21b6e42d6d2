// SPDX-License-Identifier: MIT
// RequestFields: an HTTP/2 field list becomes the Request HTTP/1's parser would make, with
// HTTP/1's limits and HTTP/2's own rules (RFC 9113 sections 8.2 and 8.3).

#include "http/request_fields.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "http/request_parser.hpp"

namespace learnhttpd::http {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;
using Verdict = RequestFields::Verdict;

const Fields kGet = {
    {":method", "GET"}, {":scheme", "https"}, {":authority", "example.org"}, {":path", "/a.txt"}};

Fields with(Fields base, const Fields& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

class RequestFieldsTest : public ::testing::Test {
 protected:
  Verdict run(const Fields& fields, Request& request) {
    fields_.reset();
    Verdict last = Verdict::Ok;
    for (const auto& [name, value] : fields) last = fields_.add(name, value);
    Verdict done = fields_.finish(request);
    EXPECT_TRUE(last == Verdict::Ok || last == done);
    return done;
  }
  Verdict verdictOf(const Fields& fields) {
    Request request;
    return run(fields, request);
  }
  ParseLimits limits_;
  RequestFields fields_{limits_};
};

TEST_F(RequestFieldsTest, AGetBecomesTheRequestHttp1WouldParse) {
  Request r;
  ASSERT_EQ(run(with(kGet, {{"user-agent", "curl/8"},
                            {"referer", "https://example.org/"},
                            {"accept-encoding", "gzip, br"},
                            {"if-none-match", "\"a\""},
                            {"if-none-match", "\"b\""},
                            {"range", "bytes=0-1"},
                            {"if-modified-since", "Sun, 06 Nov 1994 08:49:37 GMT"},
                            {"cookie", "a=b"}}),
                r),
            Verdict::Ok);
  EXPECT_EQ(r.method, Method::Get);
  EXPECT_EQ(r.method_text, "GET");
  EXPECT_EQ(r.target, "/a.txt");
  EXPECT_TRUE(r.has_host);
  EXPECT_EQ(r.host, "example.org");
  EXPECT_EQ(r.version_minor, 1);
  EXPECT_EQ(r.user_agent, "curl/8");
  EXPECT_EQ(r.referer, "https://example.org/");
  ASSERT_EQ(r.accept_encoding.count, 1U);
  EXPECT_EQ(r.accept_encoding.lines[0], "gzip, br");
  ASSERT_EQ(r.if_none_match.count, 2U);
  EXPECT_EQ(r.if_none_match.lines[1], "\"b\"");
  EXPECT_EQ(r.range, "bytes=0-1");
  EXPECT_EQ(r.if_modified_since, "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(r.content_length, 0U);
  EXPECT_FALSE(r.chunked);
}

TEST_F(RequestFieldsTest, MethodsAndTheAsteriskForm) {
  Request r;
  ASSERT_EQ(run({{":method", "HEAD"}, {":scheme", "http"}, {":path", "/"}, {"host", "x"}}, r),
            Verdict::Ok);
  EXPECT_EQ(r.method, Method::Head);
  EXPECT_EQ(r.host, "x");  // Host stands in for :authority
  ASSERT_EQ(run({{":method", "OPTIONS"}, {":scheme", "http"}, {":path", "*"}}, r), Verdict::Ok);
  EXPECT_EQ(r.method, Method::Options);
  EXPECT_EQ(r.target, "*");
  EXPECT_FALSE(r.has_host);
  ASSERT_EQ(run({{":method", "POST"}, {":scheme", "http"}, {":path", "/"}}, r), Verdict::Ok);
  EXPECT_EQ(r.method, Method::Other);
  // CONNECT names no path; the answer layer refuses the method (405).
  ASSERT_EQ(run({{":method", "CONNECT"}, {":authority", "x:443"}}, r), Verdict::Ok);
  EXPECT_EQ(r.method, Method::Other);
}

// RFC 9113 section 8.3.1 and what every server must refuse.
TEST_F(RequestFieldsTest, MalformedRequestsAreStreamErrors) {
  const std::vector<Fields> malformed = {
      {{":scheme", "https"}, {":path", "/"}},      // no :method
      {{":method", "GET"}, {":scheme", "https"}},  // no :path
      {{":method", "GET"}, {":path", "/"}},        // no :scheme
      with(kGet, {{":path", "/b"}}),               // :path twice
      with(kGet, {{":method", "GET"}}),            // :method twice
      {{":method", "GET"}, {":scheme", "a"}, {":scheme", "b"}, {":path", "/"}},
      with(kGet, {{":authority", "example.org"}}),  // :authority twice
      {{":method", "GET"}, {"accept", "*/*"}, {":scheme", "https"}, {":path", "/"}},  // order
      with(kGet, {{":status", "200"}}),                                // a response's field
      with(kGet, {{":protocol", "websocket"}}),                        // unknown pseudo-field
      {{":method", "GET"}, {":scheme", "https"}, {":path", "a.txt"}},  // not origin-form
      {{":method", "GET"}, {":scheme", "foo"}, {":path", "a.txt"}},    // whatever the scheme
      {{":method", "GET"}, {":scheme", "https"}, {":path", "*"}},      // * is OPTIONS's only
      {{":method", "GET"}, {":scheme", "https"}, {":path", ""}},
      {{":method", "G T"}, {":scheme", "https"}, {":path", "/"}},
      with(kGet, {{"connection", "keep-alive"}}),
      with(kGet, {{"keep-alive", "5"}}),
      with(kGet, {{"proxy-connection", "close"}}),
      with(kGet, {{"transfer-encoding", "chunked"}}),
      with(kGet, {{"upgrade", "h2c"}}),
      with(kGet, {{"te", "gzip"}}),
      with(kGet, {{"Accept", "*/*"}}),  // upper case
      with(kGet, {{"x y", "1"}}),       // not a token
      with(kGet, {{"", "1"}}),
      with(kGet, {{"x", "a\r\nb"}}),
      with(kGet, {{"x", std::string("a\0b", 3)}}),
      with(kGet, {{"x", " a"}}),  // white space around
      with(kGet, {{"x", "a\t"}}),
      with(kGet, {{"host", "other.example"}}),                         // Host differs
      with(kGet, {{"host", "example.org"}, {"host", "example.org"}}),  // Host twice
      {{":method", "GET"}, {":scheme", "https"}, {":authority", "a b"}, {":path", "/"}},
      {{":method", "GET"}, {":scheme", "https"}, {":path", "/"}, {"host", "a/b"}},
  };
  for (const Fields& fields : malformed) {
    std::string shown;
    for (const auto& [n, v] : fields) shown += n + ": " + v + "; ";
    EXPECT_EQ(verdictOf(fields), Verdict::Malformed) << shown;
  }
}

TEST_F(RequestFieldsTest, WhatIsAllowed) {
  EXPECT_EQ(verdictOf(with(kGet, {{"te", "trailers"}})), Verdict::Ok);
  EXPECT_EQ(verdictOf(with(kGet, {{"te", "Trailers"}})), Verdict::Ok);
  EXPECT_EQ(verdictOf(with(kGet, {{"host", "EXAMPLE.org"}})), Verdict::Ok);  // same, any case
  EXPECT_EQ(verdictOf(with(kGet, {{"x", ""}})), Verdict::Ok);  // an empty value is a value
  EXPECT_EQ(verdictOf(with(kGet, {{"x", "a b\tc"}})), Verdict::Ok);
  EXPECT_EQ(verdictOf(with(kGet, {{"x-\xff", "1"}})), Verdict::Malformed);
  EXPECT_EQ(verdictOf(with(kGet, {{"x", "caf\xc3\xa9"}})), Verdict::Ok);  // obs-text
}

// max_header_bytes bounds the decoded list, however well it compressed (an HPACK bomb).
TEST_F(RequestFieldsTest, TheDecodedListIsBoundedLikeAnHttp1Head) {
  limits_.max_header_bytes = 1024;
  Fields fields = kGet;
  const std::string value(100, 'v');
  // The pseudo-fields count 182 bytes and each of these 138: 1010 of 1024.
  for (int i = 0; i < 6; ++i) fields.emplace_back("x-bomb", value);
  EXPECT_EQ(verdictOf(fields), Verdict::Ok);
  fields.emplace_back("x-bomb", value);
  EXPECT_EQ(verdictOf(fields), Verdict::Refused);
  EXPECT_EQ(fields_.status(), Status::RequestHeaderFieldsTooLarge);
  // The rest of a refused list is only counted; a later malformed field does not change it.
  fields.emplace_back("Connection", "x");
  EXPECT_EQ(verdictOf(fields), Verdict::Refused);
}

TEST_F(RequestFieldsTest, ALongPathIs414LikeALongRequestLine) {
  const std::string path = "/" + std::string(limits_.max_request_line, 'a');
  EXPECT_EQ(verdictOf({{":method", "GET"}, {":scheme", "https"}, {":path", path}}),
            Verdict::Refused);
  EXPECT_EQ(fields_.status(), Status::UriTooLong);
  EXPECT_EQ(verdictOf({{":method", "GET"}, {":scheme", "https"}, {":path", path.substr(1)}}),
            Verdict::Malformed);  // not a path at all comes first
  EXPECT_EQ(verdictOf({{":method", "GET"},
                       {":scheme", "https"},
                       {":path", path.substr(0, limits_.max_request_line)}}),
            Verdict::Ok);
}

TEST_F(RequestFieldsTest, ListFieldsAndSingletonsAsHttp1) {
  Fields fields = kGet;
  for (int i = 0; i < 8; ++i) fields.emplace_back("accept-encoding", "gzip");
  Request r;
  ASSERT_EQ(run(fields, r), Verdict::Ok);
  EXPECT_EQ(r.accept_encoding.count, 8U);
  fields.emplace_back("accept-encoding", "br");
  EXPECT_EQ(verdictOf(fields), Verdict::Refused);
  EXPECT_EQ(fields_.status(), Status::RequestHeaderFieldsTooLarge);
  // A singleton repeated with another value counts as absent; with the same value it stays.
  ASSERT_EQ(run(with(kGet, {{"range", "bytes=0-1"}, {"range", "bytes=2-3"}}), r), Verdict::Ok);
  EXPECT_EQ(r.range, "");
  ASSERT_EQ(run(with(kGet, {{"range", "bytes=0-1"}, {"range", "bytes=0-1"}}), r), Verdict::Ok);
  EXPECT_EQ(r.range, "bytes=0-1");
  ASSERT_EQ(
      run(with(kGet, {{"range", "bytes=0-1"}, {"if-range", "\"a\""}, {"if-range", "\"b\""}}), r),
      Verdict::Ok);
  EXPECT_EQ(r.if_range, "");
  EXPECT_EQ(r.range, "");  // a range whose condition is in doubt is not honoured
  // Empty list lines are as if absent.
  ASSERT_EQ(run(with(kGet, {{"accept-encoding", ""}, {"if-none-match", ""}}), r), Verdict::Ok);
  EXPECT_EQ(r.accept_encoding.count, 0U);
  EXPECT_EQ(r.if_none_match.count, 0U);
}

// The fields the site features read (basic auth, CORS, a listing's format) arrive over HTTP/2
// as over HTTP/1: the same singletons and the same list.
TEST_F(RequestFieldsTest, TheSiteFeaturesFieldsAsHttp1) {
  Request r;
  ASSERT_EQ(run(with(kGet, {{"authorization", "Basic YTpi"},
                            {"origin", "https://app.example"},
                            {"access-control-request-method", "PUT"},
                            {"accept", "application/json"},
                            {"accept", "text/plain;q=0.5"}}),
                r),
            Verdict::Ok);
  EXPECT_EQ(r.authorization, "Basic YTpi");
  EXPECT_EQ(r.origin, "https://app.example");
  EXPECT_EQ(r.cors_request_method, "PUT");
  ASSERT_EQ(r.accept.count, 2U);
  EXPECT_EQ(r.accept.lines[0], "application/json");
  EXPECT_EQ(r.accept.lines[1], "text/plain;q=0.5");
  // Two different credentials or origins: neither is believed, as over HTTP/1.
  ASSERT_EQ(run(with(kGet, {{"authorization", "Basic YTpi"},
                            {"authorization", "Basic Yzpk"},
                            {"origin", "https://a.example"},
                            {"origin", "https://b.example"}}),
                r),
            Verdict::Ok);
  EXPECT_EQ(r.authorization, "");
  EXPECT_EQ(r.origin, "");
  Fields many = kGet;
  for (int i = 0; i < 9; ++i) many.emplace_back("accept", "text/html");
  EXPECT_EQ(verdictOf(many), Verdict::Refused);
  EXPECT_EQ(fields_.status(), Status::RequestHeaderFieldsTooLarge);
}

TEST_F(RequestFieldsTest, ResetServesTheNextRequest) {
  Request r;
  ASSERT_EQ(run(with(kGet, {{"connection", "x"}}), r), Verdict::Malformed);
  ASSERT_EQ(run(kGet, r), Verdict::Ok);
  EXPECT_EQ(r.target, "/a.txt");
  fields_.release();
  ASSERT_EQ(run(kGet, r), Verdict::Ok);
  EXPECT_EQ(r.host, "example.org");
}

}  // namespace
}  // namespace learnhttpd::http
