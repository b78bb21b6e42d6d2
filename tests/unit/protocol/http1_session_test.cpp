// SPDX-License-Identifier: MIT
// Http1Session over a real socketpair and a real document root, without a worker or a loop:
// pipelining, HEAD, errors, keep-alive limits, graceful-stop drain, large bodies by sendfile,
// and byte-at-a-time input.

#include "protocol/http1_session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "gunzip.hpp"
#include "session_invariants.hpp"

namespace learnhttpd::protocol {
namespace {

using fuzz::checkResponses;
using fuzz::runSession;

struct Answer {
  int status = 0;
  std::string head;
  std::string body;
  bool has(std::string_view field) const { return head.find(field) != std::string::npos; }
};

// Splits a well-formed output (checkResponses) into answers; `head_only[i]`: answer i has no
// body (HEAD, 304).
std::vector<Answer> split(std::string_view out, std::vector<bool> head_only = {}) {
  std::vector<Answer> answers;
  while (!out.empty()) {
    Answer a;
    std::size_t end = out.find("\r\n\r\n");
    a.head = std::string(out.substr(0, end + 4));
    a.status = std::stoi(a.head.substr(9, 3));
    std::size_t length = 0;
    if (auto at = a.head.find("Content-Length: "); at != std::string::npos) {
      length = std::stoul(a.head.substr(at + 16));
    }
    if (answers.size() < head_only.size() && head_only[answers.size()]) length = 0;
    a.body = std::string(out.substr(end + 4, length));
    out.remove_prefix(end + 4 + length);
    answers.push_back(a);
  }
  return answers;
}

class HttpSessionTest : public ::testing::Test {
 protected:
  fuzz::SessionWorld world_;
};

TEST_F(HttpSessionTest, PipelinedRequestsAnsweredInOrder) {
  auto run = runSession(world_.context,
                        "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GET /dir/ HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(checkResponses(run.output), nullptr) << run.output;
  auto answers = split(run.output);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].status, 200);
  EXPECT_EQ(answers[0].body, "hello");
  EXPECT_EQ(answers[1].status, 200);
  EXPECT_EQ(answers[1].body, "<html>dir index</html>\n");
  EXPECT_EQ(answers[2].status, 404);
  EXPECT_FALSE(run.closed);
  EXPECT_EQ(world_.requests.load(), 3u);
}

TEST_F(HttpSessionTest, ByteAtATimeGivesTheSameBytes) {
  const std::string_view input =
      "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nHEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\n";
  auto whole = runSession(world_.context, input);
  auto trickled = runSession(world_.context, input, 1);
  EXPECT_EQ(whole.output, trickled.output);
}

TEST_F(HttpSessionTest, HeadHasTheHeadersOfGetAndNoBody) {
  auto run = runSession(world_.context,
                        "HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(checkResponses(run.output), nullptr);
  auto answers = split(run.output, {true});
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].status, 200);
  EXPECT_TRUE(answers[0].has("Content-Length: 307200\r\n"));
  EXPECT_EQ(answers[0].body, "");
  EXPECT_EQ(answers[1].body, "hello");  // the next answer starts right after HEAD's head
}

TEST_F(HttpSessionTest, LargeBodyGoesThroughAFullSocketBuffer) {
  auto run = runSession(world_.context, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
  auto answers = split(run.output);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].body, std::string(std::size_t{300} * 1024, 'b'));
}

TEST_F(HttpSessionTest, MalformedRequestGets400AndCloses) {
  auto run = runSession(world_.context,
                        "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GARBAGE\r\n\r\n"
                        "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(checkResponses(run.output), nullptr);
  auto answers = split(run.output);
  ASSERT_EQ(answers.size(), 2u);  // nothing after the bad request is answered
  EXPECT_EQ(answers[1].status, 400);
  EXPECT_TRUE(answers[1].has("Connection: close\r\n"));
  EXPECT_TRUE(run.closed);
}

TEST_F(HttpSessionTest, UnknownMethodIs405WithAllowAndKeepsTheConnection) {
  auto run = runSession(world_.context,
                        "DELETE /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
  auto answers = split(run.output);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].status, 405);
  EXPECT_TRUE(answers[0].has("Allow: GET, HEAD, OPTIONS\r\n"));
  EXPECT_EQ(answers[1].status, 200);
}

// RFC 9110 sections 9.3.7 and 15.3.5: the methods in Allow, no content and no Content-Length,
// for the server ("*") and for any path alike; the connection stays open.
TEST_F(HttpSessionTest, OptionsIs204WithAllowAndNoBody) {
  auto run = runSession(world_.context,
                        "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"
                        "OPTIONS /missing HTTP/1.1\r\nHost: x\r\n\r\n"
                        "OPTIONS /a.txt HTTP/1.0\r\n\r\n");
  ASSERT_EQ(checkResponses(run.output), nullptr) << run.output;
  auto answers = split(run.output);
  ASSERT_EQ(answers.size(), 3u) << run.output;
  for (const Answer& a : answers) {
    EXPECT_EQ(a.head.substr(9, 15), "204 No Content\r") << a.head;
    EXPECT_TRUE(a.has("\r\nAllow: GET, HEAD, OPTIONS\r\n")) << a.head;
    EXPECT_FALSE(a.has("Content-Length")) << a.head;
    EXPECT_FALSE(a.has("Content-Type")) << a.head;
    EXPECT_EQ(a.body, "");
  }
  EXPECT_TRUE(answers[0].has("Connection: keep-alive\r\n"));
  EXPECT_EQ(answers[2].head.rfind("HTTP/1.0 204 ", 0), 0u);
}

TEST_F(HttpSessionTest, AsteriskFormIsOnlyForOptions) {
  for (std::string_view request :
       {"GET * HTTP/1.1\r\nHost: x\r\n\r\n", "DELETE * HTTP/1.1\r\nHost: x\r\n\r\n",
        "OPTIONS *x HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    auto answers = split(runSession(world_.context, request).output);
    ASSERT_EQ(answers.size(), 1u) << request;
    EXPECT_EQ(answers[0].status, 400) << request;
  }
}

// hidden_files: deny (the default): the answer of a missing file, whatever the spelling, with
// no redirect to add a slash and no sidecar; /.well-known/ is served.
TEST_F(HttpSessionTest, HiddenPathsAreAnsweredLikeAMissingFile) {
  const std::string missing =
      split(runSession(world_.context, "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n").output)
          .at(0)
          .body;
  for (std::string_view target :
       {"/.env", "/.git", "/.git/", "/.git/config", "/%2egit/config", "/dir/.hidden.txt", "//.env",
        "/dir/%2E%2E/.env", "/.well-known/.hidden", "/.well-known/../.env"}) {
    const std::string request =
        "GET " + std::string(target) + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n";
    // Twice: the second time the open-file cache has seen the first.
    auto run = runSession(world_.context, request + request);
    ASSERT_EQ(checkResponses(run.output), nullptr) << run.output;
    EXPECT_EQ(run.output.find(fuzz::kHidden), std::string::npos) << target;
    auto answers = split(run.output);
    ASSERT_EQ(answers.size(), 2u) << target;
    for (const Answer& a : answers) {
      EXPECT_EQ(a.status, 404) << target;
      EXPECT_EQ(a.body, missing) << target;
      EXPECT_FALSE(a.has("Location")) << target;
      EXPECT_FALSE(a.has("Content-Encoding")) << target;
    }
  }
  auto answers = split(
      runSession(world_.context, "GET /.well-known/token HTTP/1.1\r\nHost: x\r\n\r\n").output);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].body, "well-known token");
}

TEST_F(HttpSessionTest, TextCarriesTheCharsetAndErrorPagesDoNot) {
  auto answers = split(runSession(world_.context,
                                  "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                                  "GET /dir/ HTTP/1.1\r\nHost: x\r\n\r\n"
                                  "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                                  "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n")
                           .output);
  ASSERT_EQ(answers.size(), 4u);
  EXPECT_TRUE(answers[0].has("\r\nContent-Type: text/plain; charset=utf-8\r\n"));
  EXPECT_TRUE(answers[1].has("\r\nContent-Type: text/html; charset=utf-8\r\n"));
  EXPECT_TRUE(answers[2].has("\r\nContent-Type: application/octet-stream\r\n"));
  EXPECT_TRUE(answers[3].has("\r\nContent-Type: text/html\r\n"));  // the built-in page

  config::Config off;
  off.charset.clear();
  fuzz::SessionWorld world(off);
  answers = split(runSession(world.context, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n").output);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_TRUE(answers[0].has("\r\nContent-Type: text/plain\r\n"));
}

TEST(HttpSessionHiddenFiles, AllowServesThem) {
  config::Config config;
  config.deny_hidden_files = false;
  fuzz::SessionWorld world(config);
  auto answers = split(runSession(world.context,
                                  "GET /.git/config HTTP/1.1\r\nHost: x\r\n\r\n"
                                  "GET /.env HTTP/1.1\r\nHost: x\r\n\r\n")
                           .output);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].body, fuzz::kHidden);
  EXPECT_EQ(answers[1].body, fuzz::kHidden);
}

TEST_F(HttpSessionTest, TraversalAndSymlinksOutOfTheRootNeverServeTheSecret) {
  for (std::string_view target : {"/../secret.txt", "/%2e%2e/secret.txt", "/link_out.txt",
                                  "/link_abs.txt", "/outside_dir/secret.txt"}) {
    std::string request = "GET " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    auto run = runSession(world_.context, request);
    auto answers = split(run.output);
    ASSERT_EQ(answers.size(), 1u) << target;
    EXPECT_TRUE(answers[0].status == 400 || answers[0].status == 403) << target;
    EXPECT_EQ(run.output.find(fuzz::kSecret), std::string::npos) << target;
  }
  auto inside = split(runSession(world_.context, "GET /link_in.txt HTTP/1.0\r\n\r\n").output);
  ASSERT_EQ(inside.size(), 1u);
  EXPECT_EQ(inside[0].body, "hello");
}

TEST_F(HttpSessionTest, DrainAnswersWithConnectionCloseAndStops) {
  auto run = runSession(world_.context,
                        "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n",
                        0, /*drain=*/true);
  ASSERT_EQ(checkResponses(run.output), nullptr);
  auto answers = split(run.output);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_TRUE(answers[0].has("Connection: close\r\n"));
  EXPECT_TRUE(run.closed);
}

TEST_F(HttpSessionTest, KeepAliveRequestsLimitClosesAfterTheLast) {
  config::Config config;
  config.keepalive_requests = 2;
  fuzz::SessionWorld world(config);
  std::string three;
  for (int i = 0; i < 3; ++i) three += "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";
  auto run = runSession(world.context, three);
  auto answers = split(run.output);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_FALSE(answers[0].has("Connection: close\r\n"));
  EXPECT_TRUE(answers[1].has("Connection: close\r\n"));
  EXPECT_TRUE(run.closed);
}

// On-the-fly gzip: the compressed body is what Content-Length says, HEAD gets the same head,
// pipelined answers stay in step, and input split at every byte gives the same bytes.
TEST_F(HttpSessionTest, GzipAnswersAreWellFramedAndRestoreTheFile) {
  config::Config config;
  config.gzip.enabled = true;
  config.gzip.types = {"*"};
  config.gzip.min_length = 0;
  fuzz::SessionWorld world(config);
  const std::string_view input =
      "GET /big.bin HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"
      "HEAD /big.bin HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"
      "GET /a.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"
      "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";
  auto run = runSession(world.context, input);
  ASSERT_EQ(checkResponses(run.output), nullptr) << run.output.substr(0, 400);
  auto answers = split(run.output, {false, true});
  ASSERT_EQ(answers.size(), 4u);
  EXPECT_TRUE(answers[0].has("Content-Encoding: gzip\r\n"));
  EXPECT_EQ(test_support::gunzip(answers[0].body), std::string(std::size_t{300} * 1024, 'b'));
  const std::string length = "Content-Length: " + std::to_string(answers[0].body.size()) + "\r\n";
  EXPECT_TRUE(answers[1].has(length));
  EXPECT_TRUE(answers[1].has("Content-Encoding: gzip\r\n"));
  EXPECT_EQ(test_support::gunzip(answers[2].body), "hello");
  EXPECT_FALSE(answers[3].has("Content-Encoding"));
  EXPECT_EQ(answers[3].body, "hello");
  EXPECT_EQ(runSession(world.context, input, 1).output, run.output);
}

TEST_F(HttpSessionTest, RequestBodyIsSkippedNotParsedAsARequest) {
  auto run = runSession(world_.context,
                        "GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 21\r\n\r\n"
                        "GET /missing HTTP/1.1"  // 21 bytes of body
                        "GET /dir/ HTTP/1.1\r\nHost: x\r\n\r\n");
  auto answers = split(run.output);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].status, 200);
  EXPECT_EQ(answers[1].body, "<html>dir index</html>\n");
}

TEST_F(HttpSessionTest, FailWithAnswersAndCloses) {
  Http1Session s(world_.context, "");
  s.failWith(http::Status::RequestTimeout, fuzz::kNow);
  EXPECT_TRUE(s.closeAfterOutput());
  EXPECT_TRUE(s.hasOutput());
}

TEST(ResponseChecker, RejectsWhatIsNotHttp) {
  EXPECT_NE(checkResponses("hello"), nullptr);
  EXPECT_NE(checkResponses("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"), nullptr);
  EXPECT_NE(checkResponses("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
                           "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
            nullptr);
  EXPECT_NE(checkResponses("HTTP/1.1 200 OK\r\nbroken\r\n\r\n"), nullptr);
  EXPECT_EQ(checkResponses("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"), nullptr);
  EXPECT_EQ(checkResponses(""), nullptr);
}

}  // namespace
}  // namespace learnhttpd::protocol
