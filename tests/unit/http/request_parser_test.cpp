// SPDX-License-Identifier: MIT
// Parser behaviour that the corpus does not express well: exact limit boundaries, views into the
// caller's buffer, and incremental re-parsing.

#include <gtest/gtest.h>

#include <string>

#include "http/request_parser.hpp"

namespace learnhttpd::http {
namespace {

Status errorOf(const ParseResult& r) {
  EXPECT_TRUE(std::holds_alternative<ParseError>(r));
  return std::holds_alternative<ParseError>(r) ? std::get<ParseError>(r).status : Status::Ok;
}

// "GET /aaa... HTTP/1.1" whose request line (without CRLF) is exactly `line_length` bytes.
std::string requestLine(std::size_t line_length) {
  const std::string fixed = "GET / HTTP/1.1";
  return "GET /" + std::string(line_length - fixed.size(), 'a') + " HTTP/1.1";
}

TEST(RequestParser, RequestLineAtTheLimitIsAccepted) {
  const ParseLimits limits{64, 1024};
  const std::string req = requestLine(64) + "\r\nHost: h\r\n\r\n";
  ASSERT_TRUE(std::holds_alternative<Complete>(parse(req, limits)));
}

TEST(RequestParser, RequestLineOneByteOverTheLimitIs414) {
  const ParseLimits limits{64, 1024};
  const std::string req = requestLine(65) + "\r\nHost: h\r\n\r\n";
  EXPECT_EQ(errorOf(parse(req, limits)), Status::UriTooLong);
}

TEST(RequestParser, LongTargetWithoutLineEndIs414BeforeTheLineEnds) {
  // The client never sends CRLF: the answer must not wait for it.
  const std::string partial = "GET /" + std::string(10 * 1024, 'x');
  EXPECT_EQ(errorOf(parse(partial, ParseLimits{})), Status::UriTooLong);
  // Just under the limit it is still a valid prefix.
  EXPECT_TRUE(std::holds_alternative<NeedMore>(parse(partial.substr(0, 8000), ParseLimits{})));
}

TEST(RequestParser, HeadAtTheLimitIsAcceptedAndOneMoreByteIs431) {
  std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: \r\n\r\n";
  const std::size_t base = head.size();
  const ParseLimits limits{8192, 200};
  head.insert(head.find("X-Pad: ") + 7, std::string(200 - base, 'p'));
  ASSERT_EQ(head.size(), 200U);
  const ParseResult ok = parse(head, limits);
  ASSERT_TRUE(std::holds_alternative<Complete>(ok));
  EXPECT_EQ(std::get<Complete>(ok).consumed, 200U);

  head.insert(head.find("X-Pad: ") + 7, 1,
              'p');  // a char, not a literal: GCC 12 -Wrestrict false positive at -O2+
  EXPECT_EQ(errorOf(parse(head, limits)), Status::RequestHeaderFieldsTooLarge);
}

TEST(RequestParser, IncompleteHeadOverTheLimitIs431WithoutWaiting) {
  const std::string partial = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(300, 'b');
  EXPECT_EQ(errorOf(parse(partial, ParseLimits{8192, 200})), Status::RequestHeaderFieldsTooLarge);
  EXPECT_TRUE(std::holds_alternative<NeedMore>(parse(partial, ParseLimits{8192, 400})));
}

TEST(RequestParser, LeadingEmptyLinesAreCountedButNotPartOfTheHeadLimit) {
  const std::string head = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  const std::string req = "\r\n\r\n\r\n" + head;
  const ParseResult r = parse(req, ParseLimits{8192, head.size()});
  ASSERT_TRUE(std::holds_alternative<Complete>(r));
  EXPECT_EQ(std::get<Complete>(r).consumed, req.size());
}

TEST(RequestParser, EndlessEmptyLinesAreRejected) {
  std::string req;
  for (int i = 0; i < 200; ++i) req += "\r\n";
  EXPECT_EQ(errorOf(parse(req, ParseLimits{8192, 256})), Status::BadRequest);
}

TEST(RequestParser, EmptyLinesAreRejectedLongBeforeTheyCouldFillAnInputBuffer) {
  // A few are fine; the ninth line is a 400 whatever the head limit, so empty lines plus a
  // head can never outgrow a buffer sized for one head.
  std::string req;
  for (int i = 0; i < 8; ++i) req += "\r\n";
  EXPECT_TRUE(std::holds_alternative<NeedMore>(parse(req, ParseLimits{8192, 1 << 20})));
  req += "\r\n";
  EXPECT_EQ(errorOf(parse(req, ParseLimits{8192, 1 << 20})), Status::BadRequest);
}

TEST(RequestParser, IfNoneMatchLinesAreKeptInOrder) {
  const std::string req =
      "GET / HTTP/1.1\r\nIf-None-Match: \"a\"\r\nHost: h\r\nIf-None-Match:  \"b\", \"c\" \r\n\r\n";
  const ParseResult r = parse(req, ParseLimits{});
  ASSERT_TRUE(std::holds_alternative<Complete>(r));
  const FieldLines& inm = std::get<Complete>(r).request.if_none_match;
  ASSERT_EQ(inm.count, 2U);
  EXPECT_EQ(inm.lines[0], "\"a\"");
  EXPECT_EQ(inm.lines[1], "\"b\", \"c\"");
}

TEST(RequestParser, AcceptEncodingLinesAreKeptInOrder) {
  const std::string req =
      "GET / HTTP/1.1\r\nAccept-Encoding: gzip\r\nHost: h\r\naccept-encoding:\r\n"
      "ACCEPT-ENCODING:  br;q=0.5 \r\n\r\n";
  const ParseResult r = parse(req, ParseLimits{});
  ASSERT_TRUE(std::holds_alternative<Complete>(r));
  const FieldLines& ae = std::get<Complete>(r).request.accept_encoding;
  ASSERT_EQ(ae.count, 2U);  // the empty line is as if absent
  EXPECT_EQ(ae.lines[0], "gzip");
  EXPECT_EQ(ae.lines[1], "br;q=0.5");
  std::string many = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (std::size_t i = 0; i <= FieldLines::kMaxLines; ++i) many += "Accept-Encoding: gzip\r\n";
  EXPECT_EQ(errorOf(parse(many + "\r\n", ParseLimits{})), Status::RequestHeaderFieldsTooLarge);
}

TEST(RequestParser, ViewsPointIntoTheCallersBuffer) {
  const std::string req = "GET /x HTTP/1.1\r\nHost: h.example\r\nUser-Agent: t\r\n\r\n";
  const ParseResult r = parse(req, ParseLimits{});
  ASSERT_TRUE(std::holds_alternative<Complete>(r));
  const Request& q = std::get<Complete>(r).request;
  const auto inside = [&](std::string_view v) {
    return v.data() >= req.data() && v.data() + v.size() <= req.data() + req.size();
  };
  EXPECT_TRUE(inside(q.method_text));
  EXPECT_TRUE(inside(q.target));
  EXPECT_TRUE(inside(q.host));
  EXPECT_TRUE(inside(q.user_agent));
  EXPECT_EQ(q.target, "/x");
}

TEST(RequestParser, ByteByByteFeedingCompletesExactlyAtTheEnd) {
  const std::string req = "HEAD /a%20b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
  std::string buffer;
  for (std::size_t i = 0; i < req.size(); ++i) {
    ASSERT_TRUE(std::holds_alternative<NeedMore>(parse(buffer, ParseLimits{}))) << i;
    buffer.push_back(req[i]);
  }
  const ParseResult r = parse(buffer, ParseLimits{});
  ASSERT_TRUE(std::holds_alternative<Complete>(r));
  EXPECT_EQ(std::get<Complete>(r).request.method, Method::Head);
  EXPECT_EQ(std::get<Complete>(r).request.version_minor, 0);
  EXPECT_EQ(std::get<Complete>(r).request.connection, ConnectionOption::KeepAlive);
}

TEST(RequestParser, PipelinedRequestsParseOneAfterAnother) {
  const std::string req =
      "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\n";
  std::string_view rest = req;
  std::vector<std::string_view> targets;
  while (true) {
    const ParseResult r = parse(rest, ParseLimits{});
    if (!std::holds_alternative<Complete>(r)) {
      EXPECT_TRUE(std::holds_alternative<NeedMore>(r));
      break;
    }
    targets.push_back(std::get<Complete>(r).request.target);
    rest.remove_prefix(std::get<Complete>(r).consumed);
  }
  EXPECT_EQ(targets, (std::vector<std::string_view>{"/1", "/2"}));
  EXPECT_EQ(rest, "GET /3 HTTP/1.1\r\n");
}

// The scanners check eight bytes at a time; a forbidden byte must be caught at every offset.
TEST(RequestParser, ForbiddenByteAnywhereInALongValueIs400) {
  for (const char bad : {'\0', '\x01', '\x1f', '\x7f', '\n'}) {
    for (std::size_t at = 0; at < 40; ++at) {
      std::string value(40, 'v');
      value[at] = bad;
      const std::string req = "GET / HTTP/1.1\r\nHost: h\r\nX-V: " + value + "\r\n\r\n";
      EXPECT_EQ(errorOf(parse(req, ParseLimits{})), Status::BadRequest)
          << "byte " << int(bad) << " at " << at;
    }
  }
}

TEST(RequestParser, AllowedBytesAnywhereInALongValueAreKept) {
  for (const char good : {'\t', ' ', '\x80', '\xff', '~', '!'}) {
    for (std::size_t at = 0; at < 40; ++at) {
      std::string value(40, 'v');
      value[at] = good;
      const std::string req = "GET / HTTP/1.1\r\nHost: h\r\nReferer: " + value + "\r\n\r\n";
      const ParseResult r = parse(req, ParseLimits{});
      ASSERT_TRUE(std::holds_alternative<Complete>(r)) << "byte " << int(good) << " at " << at;
      const std::string_view trimmed = std::get<Complete>(r).request.referer;
      const bool edge_ows = (good == ' ' || good == '\t') && (at == 0 || at == 39);
      EXPECT_EQ(trimmed.size(), edge_ows ? 39U : 40U) << "byte " << int(good) << " at " << at;
    }
  }
}

TEST(RequestParser, ForbiddenByteAnywhereInALongTargetIs400) {
  for (const char bad : {'\0', '\t', '\x1f', '\x7f', '\r', '\n'}) {
    for (std::size_t at = 1; at < 40; ++at) {
      std::string target = "/" + std::string(39, 't');
      target[at] = bad;
      const std::string req = "GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n";
      EXPECT_EQ(errorOf(parse(req, ParseLimits{})), Status::BadRequest)
          << "byte " << int(bad) << " at " << at;
    }
  }
}

TEST(RequestParser, SpaceInsideTheTargetEndsItEarly) {
  // "GET /ab cd HTTP/1.1": the version slot then holds "cd HTTP/1.1", which is malformed.
  EXPECT_EQ(errorOf(parse("GET /ab cd HTTP/1.1\r\nHost: h\r\n\r\n", ParseLimits{})),
            Status::BadRequest);
}

// The fields the site features read: credentials, the CORS origin and preflight method, Accept.
TEST(RequestParser, CredentialsOriginAndAccept) {
  const std::string req =
      "OPTIONS /api HTTP/1.1\r\nHost: h\r\nAuthorization: Basic dTpw\r\n"
      "Origin: https://app.example\r\nAccess-Control-Request-Method: GET\r\n"
      "Accept: application/json\r\naccept: text/plain\r\n\r\n";
  auto parsed = parse(req, ParseLimits{});
  ASSERT_TRUE(std::holds_alternative<Complete>(parsed));
  const Request& r = std::get<Complete>(parsed).request;
  EXPECT_EQ(r.authorization, "Basic dTpw");
  EXPECT_EQ(r.origin, "https://app.example");
  EXPECT_EQ(r.cors_request_method, "GET");
  ASSERT_EQ(r.accept.count, 2U);
  EXPECT_EQ(r.accept.lines[0], "application/json");
  EXPECT_EQ(r.accept.lines[1], "text/plain");
}

TEST(RequestParser, TwoDifferentCredentialsOrOriginsCountAsNone) {
  const std::string req =
      "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic YTpi\r\nAuthorization: Basic Yzpk\r\n"
      "Origin: https://a.example\r\nOrigin: https://b.example\r\n\r\n";
  auto parsed = parse(req, ParseLimits{});
  ASSERT_TRUE(std::holds_alternative<Complete>(parsed));
  const Request& r = std::get<Complete>(parsed).request;
  EXPECT_TRUE(r.authorization.empty());
  EXPECT_TRUE(r.origin.empty());
  const std::string same =
      "GET / HTTP/1.1\r\nHost: h\r\nOrigin: https://a.example\r\n"
      "Origin: https://a.example\r\n\r\n";
  EXPECT_EQ(std::get<Complete>(parse(same, ParseLimits{})).request.origin, "https://a.example");
}

TEST(RequestParser, EmptyBufferNeedsMore) {
  EXPECT_TRUE(std::holds_alternative<NeedMore>(parse({}, ParseLimits{})));
}

}  // namespace
}  // namespace learnhttpd::http
