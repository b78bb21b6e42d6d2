// SPDX-License-Identifier: MIT
#pragma once
// GzipEncoder: a whole file compressed into the gzip format (RFC 1952) with zlib, in memory, so
// that the answer can say its Content-Length before the body. Used by serve::Answerer for
// on-the-fly gzip (config `gzip`).
//
// Not thread-safe: one encoder per thread (forThisThread()). It keeps its zlib state (about
// 256 KiB) and its buffers from one request to the next, so a request allocates nothing once
// the thread has compressed a body as large; the output buffer stays as large as the largest
// body compressed (at most about gzip.max_length) until the thread exits. No logging.

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace learnhttpd::serve {

class GzipEncoder {
 public:
  GzipEncoder();
  ~GzipEncoder();
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  // The calling thread's encoder.
  static GzipEncoder& forThisThread();

  // Compresses `size` bytes at zlib `level` (1-9): `memory` when it holds them (its size is
  // `size`), else the file `fd` read from offset 0 with pread (the descriptor is not moved).
  // Returns the gzip bytes, valid until the next encode() on this encoder; nullopt when the
  // file gave fewer bytes than `size` (it shrank) or could not be read, or zlib failed.
  std::optional<std::string_view> encode(int level, std::string_view memory, int fd,
                                         std::uint64_t size);

 private:
  bool ready(int level);
  bool deflateFile(int fd, std::uint64_t size);

  struct Deflate;                     // zlib's stream, kept out of this header
  std::unique_ptr<Deflate> deflate_;  // initialised for level_, or null
  int level_ = 0;
  std::vector<char> in_;   // a chunk of the file
  std::vector<char> out_;  // the gzip bytes
};

}  // namespace learnhttpd::serve
