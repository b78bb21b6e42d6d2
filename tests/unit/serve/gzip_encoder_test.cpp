// SPDX-License-Identifier: MIT
// GzipEncoder against zlib's own inflate: from memory and from a real file (more than one read
// chunk), the encoder reused across sizes and levels, and a file shorter than promised.

#include "serve/gzip_encoder.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "base/unique_fd.hpp"
#include "gunzip.hpp"

namespace learnhttpd::serve {
namespace {

// Text that compresses like a web page: words from a small vocabulary in a varying order.
std::string pageText(std::size_t size) {
  static constexpr const char* kWords[] = {"<div class=\"item\">",
                                           "learnhttpd",
                                           "serves",
                                           "static",
                                           "files",
                                           "</div>\n",
                                           "with",
                                           "gzip",
                                           "and",
                                           "sendfile",
                                           "<p>",
                                           "</p>\n"};
  std::string text;
  std::uint32_t state = 12345;
  while (text.size() < size) {
    state = state * 1103515245U + 12345U;
    text += kWords[(state >> 16) % std::size(kWords)];
    text += ' ';
  }
  text.resize(size);
  return text;
}

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/learnhttpd-gzip-XXXXXX";
    fd_ = base::UniqueFd(::mkstemp(name));
    ::unlink(name);
    EXPECT_EQ(::write(fd_.get(), content.data(), content.size()),
              static_cast<ssize_t>(content.size()));
  }
  int fd() const { return fd_.get(); }

 private:
  base::UniqueFd fd_;
};

TEST(GzipEncoder, FromMemoryRestoresTheBytes) {
  GzipEncoder encoder;
  const std::string text = pageText(10000);
  auto gz = encoder.encode(1, text, -1, text.size());
  ASSERT_TRUE(gz);
  ASSERT_GE(gz->size(), 18U);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);  // RFC 1952 magic
  EXPECT_EQ(static_cast<unsigned char>((*gz)[1]), 0x8b);
  EXPECT_LT(gz->size(), text.size() / 2);
  EXPECT_EQ(test_support::gunzip(*gz), text);
}

TEST(GzipEncoder, FromAFileInSeveralReads) {
  const std::string text = pageText(300 * 1024 + 7);  // more than four 64 KiB chunks
  TempFile file(text);
  GzipEncoder encoder;
  auto gz = encoder.encode(6, {}, file.fd(), text.size());
  ASSERT_TRUE(gz);
  EXPECT_EQ(test_support::gunzip(*gz), text);
  EXPECT_EQ(::lseek(file.fd(), 0, SEEK_CUR), static_cast<off_t>(text.size()));  // pread only
}

TEST(GzipEncoder, ReusedAcrossSizesAndLevelsAndTheSameOutputEachTime) {
  GzipEncoder encoder;
  const std::string big = pageText(200000);
  const std::string small = pageText(300);
  const std::string first(*encoder.encode(1, big, -1, big.size()));
  EXPECT_EQ(test_support::gunzip(*encoder.encode(1, small, -1, small.size())), small);
  EXPECT_EQ(test_support::gunzip(*encoder.encode(9, small, -1, small.size())), small);
  EXPECT_EQ(*encoder.encode(1, big, -1, big.size()), first);  // deterministic per level
  EXPECT_EQ(test_support::gunzip(*encoder.encode(1, {}, -1, 0)), "");
}

TEST(GzipEncoder, AFileShorterThanPromisedIsAFailure) {
  const std::string text = pageText(1000);
  TempFile file(text);
  GzipEncoder encoder;
  EXPECT_FALSE(encoder.encode(1, {}, file.fd(), text.size() + 1));
  EXPECT_FALSE(encoder.encode(1, {}, -1, 10));                              // unreadable
  EXPECT_EQ(test_support::gunzip(*encoder.encode(1, {}, file.fd(), text.size())),
            text);  // still usable
}

TEST(GzipEncoder, OnePerThread) {
  EXPECT_EQ(&GzipEncoder::forThisThread(), &GzipEncoder::forThisThread());
}

}  // namespace
}  // namespace learnhttpd::serve
