// SPDX-License-Identifier: MIT
#pragma once
// ChunkedDecoder: reads a request body in the chunked transfer coding (RFC 9112 section 7.1)
// to find where it ends, discarding the data. Pure and incremental: feed it whatever bytes have
// arrived, split anywhere; it keeps its place between calls and never looks past the body's
// final CRLF, so the bytes after it (a pipelined request) stay with the caller. No I/O, no
// allocation. A session makes one for each chunked request body it skips.
//
// Accepted: chunk-size in hex (leading zeros allowed, the value must fit 64 bits), chunk
// extensions (";" with field-value characters up to the CRLF, at most max_line bytes per size
// line), chunk data of any size, a trailer section of field lines (at most max_trailer_bytes,
// ignored). Anything else — a lone LF, a bare CR, a non-hex size, data not followed by CRLF,
// a malformed trailer field — is an error: the body's end is then unknown and the connection
// must close.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace learnhttpd::http {

struct ChunkedLimits {
  std::size_t max_line = 4096;            // a chunk-size line with its extensions
  std::size_t max_trailer_bytes = 16384;  // the whole trailer section
};

enum class ChunkedStatus : std::uint8_t { NeedMore, Done, Error };

struct ChunkedProgress {
  std::size_t consumed = 0;  // bytes of the input that belonged to the body
  ChunkedStatus status = ChunkedStatus::NeedMore;
};

class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(ChunkedLimits limits = {}) noexcept : limits_(limits) {}

  // Starts a new body.
  void reset() noexcept { *this = ChunkedDecoder(limits_); }

  // Consumes body bytes from the start of `bytes`. NeedMore: all of `bytes` was body, send the
  // rest later. Done: the body ended after `consumed` bytes. Error: the body is malformed;
  // `consumed` says nothing useful. After Done or Error, feed() returns the same status and
  // consumes nothing until reset().
  ChunkedProgress feed(std::string_view bytes) noexcept;

  // Chunk-data bytes seen so far (not counting sizes, extensions, CRLFs or trailers).
  std::uint64_t dataBytes() const noexcept { return data_bytes_; }

 private:
  enum class State : std::uint8_t {
    SizeFirst,     // the first hex digit of a chunk-size
    Size,          // more hex digits, or what follows them
    SizeSpace,     // BWS after the size: only ";" may follow
    Extension,     // after ";": field-value characters up to CR
    SizeLf,        // LF ending the size line
    Data,          // chunk-data
    DataCr,        // CR after chunk-data
    DataLf,        // LF after chunk-data
    TrailerStart,  // start of a trailer line, or CR of the final empty line
    TrailerName,   // field name
    TrailerValue,  // field value up to CR
    TrailerLf,     // LF ending a trailer line
    FinalLf,       // LF of the final empty line
    Done,
    Error,
  };

  bool step(char c) noexcept;  // one byte outside chunk-data; false on a syntax error

  ChunkedLimits limits_;
  State state_ = State::SizeFirst;
  std::uint64_t remaining_ = 0;  // chunk-data bytes left in this chunk (the size while parsing)
  std::size_t line_bytes_ = 0;   // bytes of the current size line
  std::size_t trailer_bytes_ = 0;
  std::uint64_t data_bytes_ = 0;
};

}  // namespace learnhttpd::http
