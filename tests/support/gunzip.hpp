// SPDX-License-Identifier: MIT
#pragma once
// The bytes a whole gzip stream (RFC 1952) inflates to, for the tests of on-the-fly gzip to
// compare with the file that was compressed; a marker in angle brackets when `gz` is not exactly
// one complete gzip member (truncated, corrupt, or followed by more bytes).

#include <zlib.h>

#include <string>
#include <string_view>

namespace learnhttpd::test_support {

inline std::string gunzip(std::string_view gz) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return "<inflateInit2 failed>";  // gzip wrapper only
  std::string out;
  char buffer[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  }
  const bool whole = rc == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  return whole ? out : "<not a whole gzip stream>";
}

}  // namespace learnhttpd::test_support
