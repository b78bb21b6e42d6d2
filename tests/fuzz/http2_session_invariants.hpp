// SPDX-License-Identifier: MIT
#pragma once
// Http2Session driven by arbitrary client bytes over a real socketpair, against the fixture tree
// of session_invariants.hpp, and the properties every run must keep. Shared by the libFuzzer
// target (fuzz_http2_session) and by lh_protocol_tests, which replays the regression corpus
// (corpus_http2/) on any compiler.
//
// Invariants: the output is a sequence of whole HTTP/2 frames no longer than the default
// maximum frame size (16 KiB), starting with the server's SETTINGS, of the types a server
// sends (no PRIORITY, no PUSH_PROMISE, nothing unknown), each on the stream its type allows;
// a header block is HEADERS then CONTINUATION frames on one stream, and decodes (HPACK) to a
// response: :status first and alone of the pseudo-fields, lower-case names, no connection-
// specific field; no byte of the secret outside the document root (nor, while hidden_files is
// deny, of the dot files inside it) is sent unless the input carried it.

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "protocol/http2_session.hpp"
#include "session_invariants.hpp"

namespace learnhttpd::fuzz {

struct Http2Run {
  std::string output;
  bool closed = false;  // the session ended (closeAfterOutput) or its socket failed
};

// What a run does besides feeding the bytes (the fuzzer's first byte chooses).
struct Http2Feeding {
  std::size_t chunk = 0;  // bytes per piece; 0: all at once
  bool drain = false;     // a graceful stop begins after the first piece
  bool expire = false;    // the connection's wait runs out after the last piece
};

// Writes what the session has queued, reading the peer's side as it goes (the socketpair's
// buffer is small). False when the session's socket failed.
inline bool flushHttp2(protocol::Http2Session& session, int server, int client, std::string& out) {
  for (int rounds = 0; session.hasOutput() && rounds < 100000; ++rounds) {
    protocol::FlushResult r = session.writeTo(server);
    drainPeer(client, out);
    if (r == protocol::FlushResult::Error) return false;
  }
  return true;
}

inline Http2Run runHttp2Session(protocol::SessionContext& context, std::string_view input,
                                const Http2Feeding& feeding) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) std::abort();
  base::UniqueFd server(fds[0]);
  base::UniqueFd client(fds[1]);
  protocol::Http2Session session(context, "fuzz", nullptr);
  Http2Run run;
  const std::size_t step = feeding.chunk == 0 ? input.size() : feeding.chunk;
  std::size_t fed = 0;
  bool stuck = false;
  do {
    std::span<char> space = session.inputSpace();
    const std::size_t n = std::min({step, space.size(), input.size() - fed});
    std::copy_n(input.data() + fed, n, space.data());
    session.received(n);
    fed += n;
    stuck = n == 0 && fed < input.size();  // the session takes no more input: stop feeding
    session.process(kNow);
    if (!flushHttp2(session, server.get(), client.get(), run.output)) {
      run.closed = true;
      return run;
    }
    if (feeding.drain) session.drain();
    if (session.closeAfterOutput()) {
      run.closed = true;
      return run;
    }
  } while (fed < input.size() && !stuck);
  if (feeding.expire) {
    session.expire();
    session.process(kNow);
    run.closed =
        !flushHttp2(session, server.get(), client.get(), run.output) || session.closeAfterOutput();
  }
  return run;
}

// nullptr when `block` decodes to the fields of a response, else what is wrong.
inline const char* checkResponseBlock(nghttp2_hd_inflater* inflater, std::string_view block) {
  const auto* in = reinterpret_cast<const std::uint8_t*>(block.data());
  std::size_t left = block.size();
  bool first = true;
  for (;;) {
    nghttp2_nv nv{};
    int flags = 0;
    ssize_t used = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, in, left, 1);
    if (used < 0) return "a header block that does not decode";
    in += used;
    left -= static_cast<std::size_t>(used);
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) != 0) {
      const std::string_view name(reinterpret_cast<const char*>(nv.name), nv.namelen);
      const std::string_view value(reinterpret_cast<const char*>(nv.value), nv.valuelen);
      if (first) {
        if (name != ":status" || value.size() != 3) return "a response without :status first";
      } else if (name.starts_with(':')) {
        return "a pseudo-field other than :status, or after a field";
      }
      for (char c : name) {
        if (c >= 'A' && c <= 'Z') return "an upper-case field name";
      }
      if (name == "connection" || name == "keep-alive" || name == "transfer-encoding" ||
          name == "upgrade" || name == "proxy-connection") {
        return "a connection-specific field";
      }
      first = false;
    }
    if ((flags & NGHTTP2_HD_INFLATE_FINAL) != 0) {
      nghttp2_hd_inflate_end_headers(inflater);
      return first ? "an empty header block" : nullptr;
    }
    if (used == 0 && left == 0) return "a header block that ends in the middle of a field";
  }
}

// nullptr when `out` is a well-formed sequence of a server's frames, else what is wrong.
// `bodies` gets each stream's DATA payload.
inline const char* checkFrames(std::string_view out, std::map<std::int32_t, std::string>& bodies) {
  nghttp2_hd_inflater* inflater = nullptr;
  if (nghttp2_hd_inflate_new(&inflater) != 0) std::abort();
  std::unique_ptr<nghttp2_hd_inflater, void (*)(nghttp2_hd_inflater*)> owned(
      inflater, nghttp2_hd_inflate_del);
  std::size_t pos = 0;
  bool first = true;
  std::int32_t block_stream = 0;  // a header block is open on this stream (0: none)
  std::string block;
  while (pos < out.size()) {
    if (out.size() - pos < 9) return "a truncated frame header";
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(out[pos + i]); };
    const std::size_t length = (std::size_t{byte(0)} << 16) | (std::size_t{byte(1)} << 8) | byte(2);
    const std::uint8_t type = byte(3);
    const std::uint8_t flags = byte(4);
    const std::uint32_t raw_id = (std::uint32_t{byte(5)} << 24) | (std::uint32_t{byte(6)} << 16) |
                                 (std::uint32_t{byte(7)} << 8) | byte(8);
    if ((raw_id & 0x80000000U) != 0) return "the reserved bit of a stream id is set";
    const auto stream = static_cast<std::int32_t>(raw_id);
    if (length > 16384) return "a frame longer than the default SETTINGS_MAX_FRAME_SIZE";
    if (out.size() - pos - 9 < length) return "a truncated frame";
    const std::string_view payload = out.substr(pos + 9, length);
    pos += 9 + length;
    if (first && type != NGHTTP2_SETTINGS) return "the server's preface is not SETTINGS";
    first = false;
    if (block_stream != 0 && (type != NGHTTP2_CONTINUATION || stream != block_stream)) {
      return "a header block interrupted";
    }
    const bool client_stream = stream > 0 && stream % 2 == 1;
    switch (type) {
      case NGHTTP2_DATA:
        if (!client_stream || (flags & NGHTTP2_FLAG_PADDED) != 0) return "a bad DATA frame";
        bodies[stream].append(payload);
        break;
      case NGHTTP2_HEADERS:
      case NGHTTP2_CONTINUATION:
        if (!client_stream) return "a header block on a stream no client opened";
        if (type == NGHTTP2_HEADERS ? block_stream != 0 : block_stream == 0) {
          return "a CONTINUATION without its HEADERS";
        }
        if (type == NGHTTP2_HEADERS && (flags & (NGHTTP2_FLAG_PADDED | NGHTTP2_FLAG_PRIORITY))) {
          return "a padded or prioritised HEADERS frame";
        }
        block.append(payload);
        block_stream = stream;
        if ((flags & NGHTTP2_FLAG_END_HEADERS) != 0) {
          if (const char* e = checkResponseBlock(inflater, block)) return e;
          block.clear();
          block_stream = 0;
        }
        break;
      case NGHTTP2_RST_STREAM:
        if (stream == 0 || length != 4) return "a bad RST_STREAM frame";
        break;
      case NGHTTP2_SETTINGS:
        if (stream != 0 || length % 6 != 0) return "a bad SETTINGS frame";
        if ((flags & NGHTTP2_FLAG_ACK) != 0 && length != 0) return "a SETTINGS ACK with a payload";
        break;
      case NGHTTP2_PING:
        if (stream != 0 || length != 8) return "a bad PING frame";
        break;
      case NGHTTP2_GOAWAY:
        if (stream != 0 || length < 8) return "a bad GOAWAY frame";
        break;
      case NGHTTP2_WINDOW_UPDATE:
        if (length != 4) return "a bad WINDOW_UPDATE frame";
        break;
      default:
        return "a frame type a server does not send (PRIORITY, PUSH_PROMISE, unknown)";
    }
  }
  if (block_stream != 0) return "the output ends inside a header block";
  return nullptr;
}

inline const char* checkHttp2(protocol::SessionContext& context, std::string_view input,
                              const Http2Feeding& feeding) {
  Http2Run run = runHttp2Session(context, input, feeding);
  std::map<std::int32_t, std::string> bodies;
  if (const char* e = checkFrames(run.output, bodies)) return e;
  const bool sent_secret = input.find(kSecret) != std::string_view::npos;
  const bool sent_hidden = input.find(kHidden) != std::string_view::npos;
  for (const auto& [stream, body] : bodies) {
    if (!sent_secret && body.find(kSecret) != std::string::npos) {
      return "served a file from outside the document root";
    }
    if (context.sites.defaultSite().deny_hidden && !sent_hidden &&
        body.find(kHidden) != std::string::npos) {
      return "served a hidden file";
    }
  }
  return nullptr;
}

// The fuzzer's view: the first byte chooses the feeding, the rest follows the client magic
// (which bit 5 leaves out, so that a wrong preface is tried too).
inline const char* checkHttp2Bytes(protocol::SessionContext& context, std::string_view data) {
  if (data.empty()) return nullptr;
  const auto mode = static_cast<unsigned char>(data[0]);
  const std::size_t chunks[] = {0, 1, 2, 3, 9, 17, 64, 1000};
  Http2Feeding feeding;
  feeding.chunk = chunks[mode & 7];
  feeding.drain = (mode & 8) != 0;
  feeding.expire = (mode & 16) != 0;
  std::string input;
  if ((mode & 32) == 0) input.assign(protocol::kHttp2Preface);
  input.append(data.substr(1));
  return checkHttp2(context, input, feeding);
}

}  // namespace learnhttpd::fuzz
