// SPDX-License-Identifier: MIT
// Basic auth's parts without a server: the credentials a request carries, the keyed hash (SHA-
// 256 and HMAC against values computed by Python's hashlib and hmac), the password file and the
// kinds of hash it refuses, and CredentialChecks -- its cache, its bound per client, the decoy
// for unknown users, and verification off the caller's thread.

#include <crypt.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "http/basic_auth.hpp"
#include "serve/credential_checks.hpp"
#include "serve/htpasswd.hpp"
#include "serve/keyed_hash.hpp"

namespace learnhttpd::serve::basic_auth_test {
namespace {

namespace stdfs = std::filesystem;

std::string hex(const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : digest) {
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0xf]);
  }
  return out;
}

// "Basic " + base64 of `text`.
std::string basic(const std::string& text) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "Basic ";
  std::size_t i = 0;
  for (; i + 3 <= text.size(); i += 3) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(text[i])) << 16) |
                   (static_cast<unsigned>(static_cast<unsigned char>(text[i + 1])) << 8) |
                   static_cast<unsigned char>(text[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(n >> s) & 63]);
  }
  if (i < text.size()) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(text[i])) << 16;
    if (i + 1 < text.size())
      n |= static_cast<unsigned>(static_cast<unsigned char>(text[i + 1])) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < text.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// A hash of `password` by libcrypt, with a setting of `prefix` (cheap costs: tests).
std::string hashOf(const std::string& password, const char* prefix, unsigned long cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn(prefix, cost, nullptr, 0, setting, sizeof setting), nullptr);
  crypt_data data{};
  const char* out = crypt_r(password.c_str(), setting, &data);
  EXPECT_NE(out, nullptr);
  return out;
}

TEST(BasicCredentials, ParsedStrictly) {
  auto c = http::parseBasicCredentials(basic("alice:open sesame"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "alice");
  EXPECT_EQ(c->password, "open sesame");
  c = http::parseBasicCredentials("bAsIc   " + basic("bob:a:b:c").substr(6));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "bob");
  EXPECT_EQ(c->password, "a:b:c") << "the user ends at the first colon";
  EXPECT_EQ(http::parseBasicCredentials(basic(":")).value().user, "");
  for (std::string bad :
       {std::string(""), std::string("Basic"), std::string("Basic "), std::string("Bearer abc"),
        basic("nocolon"), basic("a\nb:c"), basic("a:b\x7f"),
        std::string("Basic YWJj"),  // "abc": no colon
        std::string("Basic YTpi="), std::string("Basic YTpi===="), std::string("Basic YT=pi"),
        std::string("Basic YTpiYw"), std::string("Basic YTpiYx=="), std::string("Basic YTp i"),
        "Basic " + std::string(5000, 'A')}) {
    EXPECT_FALSE(http::parseBasicCredentials(bad)) << bad;
  }
  EXPECT_EQ(http::basicChallenge("Staff only"),
            "WWW-Authenticate: Basic realm=\"Staff only\", charset=\"UTF-8\"\r\n");
}

TEST(KeyedHash, Sha256AndHmacAgreeWithAnIndependentImplementation) {
  EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // The padding's edges: 55, 56 and 64 bytes.
  EXPECT_EQ(hex(sha256(std::string(55, 'a'))),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(hex(sha256(std::string(56, 'a'))),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(hex(sha256(std::string(64, 'a'))),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  // RFC 4231 test case 2, a key longer than a block, and parts fed separately.
  EXPECT_EQ(hex(HmacSha256("Jefe").mac({"what do ya want for nothing?"})),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex(HmacSha256(std::string(100, 'k')).mac({std::string(1000, 'x')})),
            "3e7454caad47b54cbf21e89cd1bcf7e95f1f2c395cb2f8fa29b3a79fd46a998c");
  EXPECT_EQ(hex(HmacSha256("key").mac(
                {"a", std::string_view("\0", 1), "b", std::string_view("\0", 1), "c"})),
            "a5746d31e1d57ed2d6a05c235f2dd2d44acb9aefa799440f5ae9c5709b169aa8");
  EXPECT_TRUE(equalInConstantTime("abc", "abc"));
  EXPECT_FALSE(equalInConstantTime("abc", "abd"));
  EXPECT_FALSE(equalInConstantTime("abc", "abcd"));
  EXPECT_TRUE(equalInConstantTime("", ""));
}

class HtpasswdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (stdfs::temp_directory_path() / "lh-htpasswd-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { stdfs::remove_all(dir_); }
  std::string write(const std::string& text) {
    const std::string path = (dir_ / "users").string();
    std::ofstream(path, std::ios::trunc) << text;
    return path;
  }
  stdfs::path dir_;
};

TEST_F(HtpasswdTest, TakesBcryptShaCryptAndYescrypt) {
  const std::string path = write("# staff\nalice:" + hashOf("a-pass", "$2b$", 5) +
                                 "\nbob:" + hashOf("b-pass", "$6$", 5000) +
                                 "\r\n\ncarol:" + hashOf("c-pass", "$y$", 0) + "\n");
  Htpasswd file;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  ASSERT_TRUE(Htpasswd::read(path, file, errors, warnings)) << errors.front();
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(file.size(), 3U);
  ASSERT_NE(file.hashOf("bob"), nullptr);
  EXPECT_TRUE(passwordMatches("b-pass", *file.hashOf("bob")));
  EXPECT_FALSE(passwordMatches("b-pas", *file.hashOf("bob")));
  EXPECT_TRUE(passwordMatches("c-pass", *file.hashOf("carol")));
  EXPECT_TRUE(passwordMatches("a-pass", *file.hashOf("alice")));
  EXPECT_EQ(file.hashOf("dave"), nullptr);
  EXPECT_FALSE(file.decoy().empty());
}

TEST_F(HtpasswdTest, RefusesCheapHashesNamingTheLineAndTheCure) {
  const std::string path = write(
      "a:$apr1$abcdefgh$0123456789abcdefghijkl\nb:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n"
      "c:abJnggxhB/yWI\nd:secret\ne:$1$salt$hash\nf:$2b$05$short\nno-colon\n");
  Htpasswd file;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  EXPECT_FALSE(Htpasswd::read(path, file, errors, warnings));
  ASSERT_EQ(errors.size(), 7U);
  const std::string remake = "; make it again with htpasswd -B (bcrypt)";
  EXPECT_EQ(errors[0], path +
                           ":1: user 'a': an Apache MD5 ($apr1$) hash is too cheap to guess "
                           "against" +
                           remake);
  EXPECT_EQ(errors[1],
            path + ":2: user 'b': a SHA-1 ({SHA}) hash is too cheap to guess against" + remake);
  EXPECT_EQ(errors[2], path +
                           ":3: user 'c': a DES crypt hash is too cheap to guess against (and "
                           "keeps only 8 characters)" +
                           remake);
  EXPECT_EQ(errors[3], path + ":4: user 'd': a plain-text password is not a hash" + remake);
  EXPECT_EQ(errors[4],
            path + ":5: user 'e': an MD5-crypt ($1$) hash is too cheap to guess against" + remake);
  EXPECT_EQ(errors[5], path + ":6: user 'f': not a valid hash of its kind" + remake);
  EXPECT_EQ(errors[6], path + ":7: expected user:hash");
}

TEST_F(HtpasswdTest, FileProblems) {
  Htpasswd file;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  const std::string hash = hashOf("x", "$2b$", 5);
  EXPECT_FALSE(Htpasswd::read(write("a:" + hash + "\na:" + hash + "\n"), file, errors, warnings));
  EXPECT_EQ(errors.back(), (dir_ / "users").string() + ":2: user 'a' is listed twice");
  errors.clear();
  EXPECT_TRUE(Htpasswd::read(write("# nobody yet\n"), file, errors, warnings));
  EXPECT_EQ(warnings.back(), (dir_ / "users").string() + ": no users: nobody can log in");
  stdfs::create_symlink(dir_ / "users", dir_ / "link");
  EXPECT_FALSE(Htpasswd::read((dir_ / "link").string(), file, errors, warnings));
  EXPECT_EQ(errors.back(),
            (dir_ / "link").string() + ": cannot read: it is a symlink; name the file itself");
  EXPECT_FALSE(Htpasswd::read((dir_ / "missing").string(), file, errors, warnings));
  EXPECT_EQ(errors.back(),
            (dir_ / "missing").string() + ": cannot read: No such file or directory");
}

class ChecksTest : public HtpasswdTest {
 protected:
  void SetUp() override {
    HtpasswdTest::SetUp();
    std::vector<std::string> errors;
    std::vector<std::string> warnings;
    ASSERT_TRUE(Htpasswd::read(write("alice:" + hashOf("right", "$2b$", 5) + "\n"), file_, errors,
                               warnings));
  }
  Htpasswd file_;
};

TEST_F(ChecksTest, AVerifiedCredentialIsRememberedAWrongOneCounted) {
  CredentialChecks checks;
  using V = CredentialChecks::Verdict;
  EXPECT_EQ(checks.check(file_, basic("alice:right"), "192.0.2.1", false), V::Allowed);
  EXPECT_EQ(checks.verifications(), 1U);
  EXPECT_EQ(checks.check(file_, basic("alice:right"), "192.0.2.1", false), V::Allowed);
  EXPECT_EQ(checks.verifications(), 1U) << "remembered: no second crypt_r";
  EXPECT_EQ(checks.check(file_, basic("alice:wrong"), "192.0.2.1", false), V::Denied);
  EXPECT_EQ(checks.check(file_, basic("alice:wrong"), "192.0.2.1", false), V::Denied);
  EXPECT_EQ(checks.verifications(), 2U) << "a wrong one is answered at once for a while";
  EXPECT_EQ(checks.check(file_, basic("mallory:right"), "192.0.2.1", false), V::Denied)
      << "an unknown user with a real user's password";
  EXPECT_EQ(checks.verifications(), 3U) << "an unknown user costs a verification (the decoy)";
  EXPECT_EQ(checks.check(file_, "", "192.0.2.1", false), V::Denied);
  EXPECT_EQ(checks.check(file_, "Bearer x", "192.0.2.1", false), V::Denied);
  EXPECT_EQ(checks.verifications(), 3U) << "no credentials: nothing to verify";
}

TEST_F(ChecksTest, TooManyWrongPasswordsFromOneClientStopVerifying) {
  CredentialChecks checks;
  using V = CredentialChecks::Verdict;
  for (unsigned i = 0; i < CredentialChecks::kMaxFailures; ++i) {
    EXPECT_EQ(checks.check(file_, basic("alice:guess" + std::to_string(i)), "192.0.2.9", false),
              V::Denied);
  }
  const std::uint64_t spent = checks.verifications();
  EXPECT_EQ(checks.check(file_, basic("alice:guess-more"), "192.0.2.9", false), V::TooMany);
  EXPECT_EQ(checks.check(file_, basic("alice:right"), "192.0.2.9", false), V::TooMany)
      << "not even the right one is verified until the window ends";
  EXPECT_EQ(checks.verifications(), spent);
  EXPECT_EQ(checks.check(file_, basic("alice:right"), "192.0.2.10", false), V::Allowed)
      << "another client is not held up";
}

TEST_F(ChecksTest, OffTheCallersThreadWithAWakeUp) {
  CredentialChecks checks;
  ASSERT_TRUE(checks.verifyOffThread());
  using V = CredentialChecks::Verdict;
  EXPECT_EQ(checks.check(file_, basic("alice:right"), "192.0.2.1", true), V::Pending);
  // Asked again at once: still pending, or already verified if the checking thread was quick
  // (it raced the second call in a CI run); never queued a second time (verifications() below).
  const V again = checks.check(file_, basic("alice:right"), "192.0.2.1", true);
  EXPECT_TRUE(again == V::Pending || again == V::Allowed) << static_cast<int>(again);
  pollfd ready{checks.wakeFd(), POLLIN, 0};
  ASSERT_EQ(::poll(&ready, 1, 10'000), 1);
  checks.drainWakeups();
  EXPECT_EQ(checks.check(file_, basic("alice:right"), "192.0.2.1", true), V::Allowed);
  EXPECT_EQ(checks.verifications(), 1U);
  EXPECT_EQ(checks.check(file_, basic("alice:nope"), "192.0.2.1", true), V::Pending);
  ASSERT_EQ(::poll(&ready, 1, 10'000), 1);
  checks.drainWakeups();
  EXPECT_EQ(checks.check(file_, basic("alice:nope"), "192.0.2.1", true), V::Denied);
  // Without may_defer the caller's own thread verifies, as the threadpool's does.
  EXPECT_EQ(checks.check(file_, basic("alice:other"), "192.0.2.1", false), V::Denied);
}

}  // namespace
}  // namespace learnhttpd::serve::basic_auth_test
