// SPDX-License-Identifier: MIT
#include "serve/gzip_encoder.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>

namespace learnhttpd::serve {
namespace {

constexpr std::size_t kChunk = std::size_t{64} * 1024;
// zlib: windowBits 15 (32 KiB, the largest) plus 16 asks for the gzip wrapper instead of
// zlib's; memLevel 8 is zlib's default (deflateInit's).
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemLevel = 8;

}  // namespace

struct GzipEncoder::Deflate {
  Deflate() = default;
  Deflate(const Deflate&) = delete;
  Deflate& operator=(const Deflate&) = delete;
  ~Deflate() {
    if (initialised) deflateEnd(&z);
  }
  z_stream z{};
  bool initialised = false;
};

GzipEncoder::GzipEncoder() = default;
GzipEncoder::~GzipEncoder() = default;

GzipEncoder& GzipEncoder::forThisThread() {
  thread_local GzipEncoder encoder;
  return encoder;
}

// deflateReset keeps the allocated window and hash tables: a request after the first only
// clears them.
bool GzipEncoder::ready(int level) {
  if (deflate_ && level == level_) return deflateReset(&deflate_->z) == Z_OK;
  deflate_ = std::make_unique<Deflate>();
  if (deflateInit2(&deflate_->z, level, Z_DEFLATED, kGzipWindowBits, kMemLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    deflate_.reset();
    return false;
  }
  deflate_->initialised = true;
  level_ = level;
  return true;
}

std::optional<std::string_view> GzipEncoder::encode(int level, std::string_view memory, int fd,
                                                    std::uint64_t size) {
  if (!ready(level)) return std::nullopt;
  z_stream& z = deflate_->z;
  // Enough for the whole output in one pass (zlib's own bound, gzip header and trailer included).
  const std::size_t bound = deflateBound(&z, static_cast<uLong>(size));
  if (out_.size() < bound) out_.resize(bound);
  z.next_out = reinterpret_cast<Bytef*>(out_.data());  // NOLINT: zlib's byte type
  z.avail_out = static_cast<uInt>(bound);
  if (memory.size() == size) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(memory.data()));  // NOLINT: read only
    z.avail_in = static_cast<uInt>(size);
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) return std::nullopt;
  } else if (!deflateFile(fd, size)) {
    return std::nullopt;
  }
  return std::string_view(out_.data(), bound - z.avail_out);
}

bool GzipEncoder::deflateFile(int fd, std::uint64_t size) {
  z_stream& z = deflate_->z;
  if (in_.size() < kChunk) in_.resize(kChunk);
  std::uint64_t offset = 0;
  for (;;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, size - offset));
    ssize_t got = 0;
    if (want > 0) {
      got = ::pread(fd, in_.data(), want, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      // The file shrank (or failed) after its size was taken: its gzip would not be the file.
      if (got <= 0) return false;
    }
    offset += static_cast<std::uint64_t>(got);
    const bool last = offset == size;
    z.next_in = reinterpret_cast<Bytef*>(in_.data());  // NOLINT: zlib's byte type
    z.avail_in = static_cast<uInt>(got);
    const int rc = deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
    if (last) return rc == Z_STREAM_END;
    if (rc != Z_OK) return false;
  }
}

}  // namespace learnhttpd::serve
