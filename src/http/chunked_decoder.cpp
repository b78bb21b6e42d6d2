// SPDX-License-Identifier: MIT
#include "http/chunked_decoder.hpp"

#include <algorithm>

#include "http/char_class.hpp"

namespace learnhttpd::http {
namespace {

using detail::hasClass;
using detail::isOws;
using detail::kFieldValue;
using detail::kHexDigit;
using detail::kTchar;

constexpr unsigned hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
  return static_cast<unsigned>(c - 'A' + 10);
}

constexpr std::uint64_t kMaxBeforeShift = UINT64_MAX >> 4;

}  // namespace

ChunkedProgress ChunkedDecoder::feed(std::string_view bytes) noexcept {
  std::size_t p = 0;
  while (p < bytes.size() && state_ != State::Done && state_ != State::Error) {
    if (state_ == State::Data) {
      // The bulk of a body: skipped without looking at it.
      const std::uint64_t take = std::min<std::uint64_t>(remaining_, bytes.size() - p);
      p += static_cast<std::size_t>(take);
      remaining_ -= take;
      data_bytes_ += take;
      if (remaining_ == 0) state_ = State::DataCr;
      continue;
    }
    if (!step(bytes[p])) {
      state_ = State::Error;
      break;
    }
    ++p;
  }
  switch (state_) {
    case State::Done:
      return {p, ChunkedStatus::Done};
    case State::Error:
      return {p, ChunkedStatus::Error};
    default:
      return {p, ChunkedStatus::NeedMore};
  }
}

bool ChunkedDecoder::step(char c) noexcept {
  switch (state_) {
    case State::SizeFirst:
    case State::Size:
    case State::SizeSpace:
    case State::Extension:
    case State::SizeLf:
      if (++line_bytes_ > limits_.max_line) return false;
      break;
    case State::TrailerStart:
    case State::TrailerName:
    case State::TrailerValue:
    case State::TrailerLf:
    case State::FinalLf:
      if (++trailer_bytes_ > limits_.max_trailer_bytes) return false;
      break;
    default:
      break;
  }
  switch (state_) {
    case State::SizeFirst:
      if (!hasClass(c, kHexDigit)) return false;
      remaining_ = hexValue(c);
      state_ = State::Size;
      return true;
    case State::Size:
      if (hasClass(c, kHexDigit)) {
        if (remaining_ > kMaxBeforeShift) return false;  // does not fit 64 bits
        remaining_ = (remaining_ << 4) | hexValue(c);
        return true;
      }
      if (c == ';') {
        state_ = State::Extension;
      } else if (isOws(c)) {
        state_ = State::SizeSpace;  // BWS before ";" (RFC 9112 section 7.1.1)
      } else if (c == '\r') {
        state_ = State::SizeLf;
      } else {
        return false;
      }
      return true;
    case State::SizeSpace:
      if (c == ';') state_ = State::Extension;
      return c == ';' || isOws(c);
    case State::Extension:
      // Names, values and quoted strings are all field-value characters; we act on none.
      if (c == '\r') state_ = State::SizeLf;
      return c == '\r' || hasClass(c, kFieldValue);
    case State::SizeLf:
      if (c != '\n') return false;
      line_bytes_ = 0;
      state_ = remaining_ == 0 ? State::TrailerStart : State::Data;
      return true;
    case State::DataCr:
      state_ = State::DataLf;
      return c == '\r';
    case State::DataLf:
      state_ = State::SizeFirst;
      return c == '\n';
    case State::TrailerStart:
      if (c == '\r') {
        state_ = State::FinalLf;
        return true;
      }
      state_ = State::TrailerName;
      return hasClass(c, kTchar);
    case State::TrailerName:
      if (c == ':') state_ = State::TrailerValue;
      return c == ':' || hasClass(c, kTchar);
    case State::TrailerValue:
      if (c == '\r') state_ = State::TrailerLf;
      return c == '\r' || hasClass(c, kFieldValue);
    case State::TrailerLf:
      state_ = State::TrailerStart;
      return c == '\n';
    case State::FinalLf:
      state_ = State::Done;
      return c == '\n';
    case State::Data:
    case State::Done:
    case State::Error:
      break;
  }
  return false;
}

}  // namespace learnhttpd::http
