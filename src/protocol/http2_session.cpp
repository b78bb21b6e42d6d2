// SPDX-License-Identifier: MIT
#include "protocol/http2_session.hpp"

#include <sys/uio.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <span>

#include <spdlog/spdlog.h>

#include "http/http_date.hpp"
#include "http/request_fields.hpp"
#include "http/response_head.hpp"
#include "log/log.hpp"
#include "net/socket.hpp"

namespace learnhttpd::protocol {

using serve::BodySource;
using serve::Response;

namespace {

constexpr std::size_t kInputBuffer = std::size_t{16} * 1024;
// nghttp2 is fed this much at a time, and what it queued goes out in between: the stream
// errors it answers (MadeYouReset's) are counted as they are sent, so a flood of them is
// stopped within one piece of input, a few hundred frames at most.
constexpr std::size_t kFeedPiece = std::size_t{4} * 1024;
// process() and writeTo() stop asking nghttp2 for frames past this much unwritten output: the
// client's windows may allow far more, and what is queued is held in memory or descriptors.
constexpr std::size_t kOutputHighWater = std::size_t{64} * 1024;
// TLS: the bytes handed to one SSL_write (two 16 KiB records).
constexpr std::size_t kTlsChunk = std::size_t{32} * 1024;
// sendmsg() gathers at most this many segments (frame heads and small bodies) at once.
constexpr int kMaxIov = 64;
// The opaque data of the PING that follows the shutdown notice (drain()).
constexpr std::array<std::uint8_t, 8> kDrainPing = {'l', 'h', 'd', 'r', 'a', 'i', 'n', '!'};
// The size of a frame header (RFC 9113 section 4.1).
constexpr std::size_t kFrameHead = 9;

// A list of header fields that stays in place (no allocation) up to 24 of them.
class NvList {
 public:
  void push_back(const nghttp2_nv& nv) {
    if (grown_.empty() && size_ < fixed_.size()) {
      fixed_[size_++] = nv;
      return;
    }
    if (grown_.empty())
      grown_.assign(fixed_.begin(), fixed_.begin() + static_cast<std::ptrdiff_t>(size_));
    grown_.push_back(nv);
    ++size_;
  }
  nghttp2_nv* data() noexcept { return grown_.empty() ? fixed_.data() : grown_.data(); }
  std::size_t size() const noexcept { return size_; }

 private:
  std::array<nghttp2_nv, 24> fixed_;  // NOLINT(cppcoreguidelines-pro-type-member-init): as used
  std::vector<nghttp2_nv> grown_;
  std::size_t size_ = 0;
};

// The header list of an answer for nghttp2 (which copies the values, and the names that are
// not static, when the response is submitted): forEachField's fields, names in lower case, the
// configured ones taken apart line by line. Its storage is on the stack unless the configured
// fields are many or long.
class HeaderList {
 public:
  explicit HeaderList(http::Status status) {
    std::array<char, 8> code{};
    const char* end = std::to_chars(code.data(), code.data() + code.size(), http::code(status)).ptr;
    addStatic(":status",
              std::string_view(code.data(), static_cast<std::size_t>(end - code.data())));
  }

  void field(const http::FieldName& name, std::string_view value) { addStatic(name.http2, value); }
  void extra(std::string_view lines) {
    while (!lines.empty()) {
      std::size_t end = lines.find("\r\n");
      std::string_view line = lines.substr(0, end);
      lines = end == std::string_view::npos ? std::string_view{} : lines.substr(end + 2);
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) continue;
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      add(line.substr(0, colon), value);
    }
  }

  // The list, pointing into this object: valid until it is destroyed.
  nghttp2_nv* data() noexcept { return nv_.data(); }
  std::size_t size() const noexcept { return nv_.size(); }

 private:
  // A field whose name is static storage, lower case: nghttp2 need not copy the name.
  void addStatic(std::string_view name, std::string_view value) {
    nghttp2_nv nv{};
    nv.name = reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data()));
    nv.namelen = name.size();
    nv.flags = NGHTTP2_NV_FLAG_NO_COPY_NAME;
    push(nv, value);
  }

  // A configured field: its name lowered in this list's own copy (no allocation of its own).
  void add(std::string_view name, std::string_view value) {
    std::span<char> kept = keep(name);
    for (char& c : kept) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    if (http::isConnectionSpecific({kept.data(), kept.size()})) return;
    nghttp2_nv nv{};
    nv.name = reinterpret_cast<std::uint8_t*>(kept.data());
    nv.namelen = kept.size();
    push(nv, value);
  }

  void push(nghttp2_nv nv, std::string_view value) {
    std::span<char> kept = keep(value);
    nv.value = reinterpret_cast<std::uint8_t*>(kept.data());
    nv.valuelen = kept.size();
    nv_.push_back(nv);
  }

  // A copy of `text` that lives as long as this list: in the inline buffer while it has room.
  std::span<char> keep(std::string_view text) {
    if (text.size() <= inline_.size() - used_) {
      char* at = inline_.data() + used_;
      std::copy(text.begin(), text.end(), at);
      used_ += text.size();
      return {at, text.size()};
    }
    return overflow_.emplace_back(text);
  }

  // Not zeroed: only what keep() wrote is ever read.
  std::array<char, 512> inline_;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  std::size_t used_ = 0;
  std::list<std::string> overflow_;  // texts beyond the inline buffer (stable addresses)
  NvList nv_;
};

std::unique_ptr<nghttp2_session_callbacks, void (*)(nghttp2_session_callbacks*)> makeCallbacks();

}  // namespace

struct Http2Session::Segment {
  enum class Kind : std::uint8_t { Arena, Memory, File };
  Kind kind = Kind::Arena;
  std::size_t at = 0;          // Arena: where the bytes start in arena_
  const char* data = nullptr;  // Memory
  int fd = -1;                 // File
  off_t offset = 0;            // File
  std::size_t length = 0;
  std::shared_ptr<const void> keep;  // Memory, File: what keeps the bytes or descriptor alive
};

struct Http2Session::Stream {
  std::int32_t id = 0;
  std::list<Stream>::iterator self;
  bool answered = false;      // a response is submitted
  bool complete = false;      // its last frame is queued
  bool body_pending = false;  // counted in answering_
  // Where the body's next bytes come from: memory, or a file (fd >= 0).
  const char* bytes = nullptr;
  int fd = -1;
  off_t offset = 0;
  std::uint64_t remaining = 0;
  std::shared_ptr<const void> keep;
};

// nghttp2's C callbacks, each handing over to a member of the session in `user_data`.
struct Http2Callbacks {
  static Http2Session& self(void* user_data) { return *static_cast<Http2Session*>(user_data); }

  static int onBeginFrame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user_data) {
    return self(user_data).beginFrame(hd->type, hd->flags, hd->stream_id, hd->length);
  }
  static int onBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    return self(user_data).beginHeaders(frame->hd.stream_id,
                                        frame->headers.cat == NGHTTP2_HCAT_REQUEST);
  }
  static int onHeader(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                      std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                      std::uint8_t, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
      return 0;  // trailers: nothing of them is used
    }
    return self(user_data).header(frame->hd.stream_id,
                                  {reinterpret_cast<const char*>(name), name_length},
                                  {reinterpret_cast<const char*>(value), value_length});
  }
  static int onFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    const std::uint8_t* ping = frame->hd.type == NGHTTP2_PING ? frame->ping.opaque_data : nullptr;
    return self(user_data).frameReceived(frame->hd.type, frame->hd.flags, frame->hd.stream_id,
                                         frame->hd.length, ping);
  }
  static int onFrameSend(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    const std::uint32_t error =
        frame->hd.type == NGHTTP2_RST_STREAM ? frame->rst_stream.error_code : 0;
    return self(user_data).frameSent(frame->hd.type, frame->hd.flags, frame->hd.stream_id, error);
  }
  static int onStreamClose(nghttp2_session*, std::int32_t stream_id, std::uint32_t,
                           void* user_data) {
    return self(user_data).streamClosed(stream_id);
  }
  static ssize_t readBody(nghttp2_session*, std::int32_t, std::uint8_t*, std::size_t length,
                          std::uint32_t* flags, nghttp2_data_source* source, void* user_data) {
    return self(user_data).readBody(*static_cast<Http2Session::Stream*>(source->ptr), length,
                                    flags);
  }
  static int sendBody(nghttp2_session*, nghttp2_frame*, const std::uint8_t* frame_head,
                      std::size_t length, nghttp2_data_source* source, void* user_data) {
    return self(user_data).sendBody(*static_cast<Http2Session::Stream*>(source->ptr), frame_head,
                                    length);
  }
};

namespace {

std::unique_ptr<nghttp2_session_callbacks, void (*)(nghttp2_session_callbacks*)> makeCallbacks() {
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) callbacks = nullptr;
  std::unique_ptr<nghttp2_session_callbacks, void (*)(nghttp2_session_callbacks*)> owned(
      callbacks, nghttp2_session_callbacks_del);
  if (!owned) return owned;
  nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks, Http2Callbacks::onBeginFrame);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks,
                                                          Http2Callbacks::onBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, Http2Callbacks::onHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Http2Callbacks::onFrameRecv);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, Http2Callbacks::onFrameSend);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, Http2Callbacks::onStreamClose);
  nghttp2_session_callbacks_set_send_data_callback(callbacks, Http2Callbacks::sendBody);
  // No on_invalid_header callback: nghttp2 then treats a field it would ignore (a bad name or
  // value) as making the request malformed, RFC 9113 section 8.2.1's rule.
  return owned;
}

// Built once per process, read-only afterwards (nghttp2 copies it into every session).
const nghttp2_session_callbacks* sharedCallbacks() {
  static const auto callbacks = makeCallbacks();
  return callbacks.get();
}

}  // namespace

Http2Session::Http2Session(SessionContext& context, std::string peer,
                           std::unique_ptr<tls::TlsStream> tls)
    : ctx_(context),
      peer_(std::move(peer)),
      answerer_(context.sites),
      tls_(std::move(tls)),
      session_(nullptr, nghttp2_session_del),
      guard_(context.http2_max_streams),
      fields_(context.limits) {
  answerer_.setSecure(tls_ != nullptr);
  answerer_.setClient(peer_);
  // A deferred answer is kept with its stream's fields and asked for again by process().
  answerer_.allowDeferral(true);
  // The certificate SNI chose covers these names only: a stream for another host is 421,
  // which is also how a client learns not to reuse this connection for it (RFC 9113 9.1.1).
  if (tls_) answerer_.setTlsServer(tls_->serverName(), tls_->authorityNames());
  if (ctx_.counters.http2_connections != nullptr) {
    ctx_.counters.http2_connections->fetch_add(1, std::memory_order_relaxed);
  }
  if (ctx_.counters.http2_open != nullptr) {
    ctx_.counters.http2_open->fetch_add(1, std::memory_order_relaxed);
  }
  nghttp2_option* option = nullptr;
  if (sharedCallbacks() == nullptr || nghttp2_option_new(&option) != 0) {
    failed_ = true;
    return;
  }
  // Closed streams are not kept in the priority tree: less memory per connection, at the price
  // of a client's dependency on a finished stream counting as one on the root.
  nghttp2_option_set_no_closed_streams(option, 1);
  // CVE-2024-28182: a header block may not go on forever. A client packs a block into as few
  // frames as it can, so the limit follows max_header_bytes at 16 KiB a frame.
  nghttp2_option_set_max_continuations(
      option, std::max<std::size_t>(8, ctx_.limits.max_header_bytes / 16384 + 1));
  nghttp2_session* session = nullptr;
  if (nghttp2_session_server_new2(&session, sharedCallbacks(), this, option) != 0) {
    session = nullptr;
  }
  nghttp2_option_del(option);
  session_.reset(session);
  if (!session_) {
    failed_ = true;
    return;
  }
  // RFC 7540's priorities stay on: browsers still say with them which of a page's assets they
  // need first, and PRIORITY frames are control frames that Http2Guard counts.
  const std::array<nghttp2_settings_entry, 2> settings = {{
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, ctx_.http2_max_streams},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
       static_cast<std::uint32_t>(ctx_.limits.max_header_bytes)},
  }};
  if (nghttp2_submit_settings(session_.get(), NGHTTP2_FLAG_NONE, settings.data(),
                              settings.size()) != 0) {
    failed_ = true;
    return;
  }
  generate();
}

Http2Session::~Http2Session() {
  if (ctx_.counters.http2_open != nullptr) {
    ctx_.counters.http2_open->fetch_sub(1, std::memory_order_relaxed);
  }
}

// ---- input ----------------------------------------------------------------------------------

std::span<char> Http2Session::inputSpace() {
  if (in_start_ == in_end_) in_start_ = in_end_ = 0;
  if (in_.empty()) in_.resize(kInputBuffer);
  if (in_end_ == in_.size() && in_start_ > 0) {
    std::memmove(in_.data(), in_.data() + in_start_, in_end_ - in_start_);
    in_end_ -= in_start_;
    in_start_ = 0;
  }
  return {in_.data() + in_end_, in_.size() - in_end_};
}

void Http2Session::received(std::size_t n) noexcept {
  in_end_ += n;
  answerer_.received();
}

void Http2Session::takeInput(std::string_view bytes) {
  if (in_start_ == in_end_) in_start_ = in_end_ = 0;
  in_.resize(std::max(in_.size(), in_end_ + bytes.size()));
  std::copy(bytes.begin(), bytes.end(), in_.begin() + static_cast<std::ptrdiff_t>(in_end_));
  received(bytes.size());
}

bool Http2Session::inputPending() const noexcept {
  return tls_ && tls_->pending();
}

ReadResult Http2Session::readFrom(int fd) {
  std::size_t got = 0;
  for (;;) {
    std::span<char> space = inputSpace();
    if (space.empty()) return got > 0 ? ReadResult::Filled : ReadResult::Error;
    if (!tls_) {
      net::IoResult r = net::receiveSome(fd, space.data(), space.size());
      if (r.error == EAGAIN) return ReadResult::WouldBlock;
      if (r.error != 0) return ReadResult::Error;
      if (r.bytes == 0) {
        peer_closed_ = true;
        return ReadResult::Closed;
      }
      received(r.bytes);
      return r.bytes < space.size() ? ReadResult::Drained : ReadResult::Filled;
    }
    tls::IoOutcome r = tls_->read(space.data(), space.size());
    if (r.status == tls::Io::Ok) {
      received(r.bytes);
      got += r.bytes;
      continue;
    }
    if (got > 0) return r.status == tls::Io::WantRead ? ReadResult::Drained : ReadResult::Filled;
    if (r.status == tls::Io::WantRead) return ReadResult::WouldBlock;
    if (r.status == tls::Io::Closed) peer_closed_ = true;
    return r.status == tls::Io::Closed ? ReadResult::Closed : ReadResult::Error;
  }
}

void Http2Session::process(std::time_t now) {
  now_ = now;
  if (failed_) return;
  if (!deferred_.empty()) answerDeferred();
  feed();
  generate();
}

// The input goes to nghttp2 in one piece unless output backs up: then the rest waits until
// writeTo() has made room, as HTTP/1 stops parsing pipelined requests.
void Http2Session::feed() {
  while (in_start_ < in_end_ && !failed_ && queued_ < kOutputHighWater) {
    const auto* data = reinterpret_cast<const std::uint8_t*>(in_.data() + in_start_);
    ssize_t used =
        nghttp2_session_mem_recv(session_.get(), data, std::min(in_end_ - in_start_, kFeedPiece));
    if (used < 0) {
      // Fatal for the connection. nghttp2 has said GOAWAY itself for the protocol errors it
      // returns as such; these it leaves to us.
      if (used == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS || used == NGHTTP2_ERR_FLOODED) {
        spdlog::debug("{}: HTTP/2 flood ({}), closing", peer_,
                      nghttp2_strerror(static_cast<int>(used)));
        nghttp2_session_terminate_session(session_.get(), NGHTTP2_ENHANCE_YOUR_CALM);
      } else if (used == NGHTTP2_ERR_BAD_CLIENT_MAGIC) {
        nghttp2_session_terminate_session(session_.get(), NGHTTP2_PROTOCOL_ERROR);
      }
      fail();
      return;
    }
    in_start_ += static_cast<std::size_t>(used);
    generate();
  }
  if (in_start_ == in_end_) in_start_ = in_end_ = 0;
}

void Http2Session::fail() {
  failed_ = true;
  in_start_ = in_end_ = 0;
  generate();  // a GOAWAY, if one is queued
}

// ---- nghttp2's callbacks --------------------------------------------------------------------

int Http2Session::beginFrame(std::uint8_t type, std::uint8_t flags, std::int32_t, std::size_t) {
  // Over a budget (calm()): not one more frame of this input is looked at.
  if (failed_) return NGHTTP2_ERR_CALLBACK_FAILURE;
  // A header block is one HEADERS frame and the CONTINUATION frames that follow it, the last
  // with END_HEADERS; nothing else may come between them (RFC 9113 section 6.10).
  if (type == NGHTTP2_HEADERS || type == NGHTTP2_CONTINUATION) {
    header_block_open_ = (flags & NGHTTP2_FLAG_END_HEADERS) == 0;
  } else {
    header_block_open_ = false;
  }
  return 0;
}

int Http2Session::beginHeaders(std::int32_t stream_id, bool request) {
  if (!request) return 0;  // trailers of a stream we know
  ++requests_;
  guard_.requestOpened();
  // A stream of the spare ones if there is one: a busy connection allocates none per request.
  if (spare_.empty()) {
    streams_.emplace_front();
  } else {
    streams_.splice(streams_.begin(), spare_, spare_.begin());
    streams_.front() = Stream{};
  }
  Stream& stream = streams_.front();
  stream.self = streams_.begin();
  stream.id = stream_id;
  // Header blocks come one at a time (RFC 9113 section 6.10): one field list serves them all.
  fields_.reset();
  fields_stream_ = stream_id;
  nghttp2_session_set_stream_user_data(session_.get(), stream_id, &stream);
  return 0;
}

int Http2Session::header(std::int32_t stream_id, std::string_view name, std::string_view value) {
  if (stream_id != fields_stream_) return 0;  // only the block beginHeaders() began is read
  if (fields_.add(name, value) == http::RequestFields::Verdict::Malformed) {
    // RFC 9113 section 8.1.1: a malformed request is a stream error of type PROTOCOL_ERROR; the
    // rest of the block is decoded (the HPACK state must stay in step) but not handed to us.
    nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_PROTOCOL_ERROR);
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  return 0;
}

int Http2Session::frameReceived(std::uint8_t type, std::uint8_t flags, std::int32_t stream_id,
                                std::size_t length, const std::uint8_t* ping) {
  const bool ack = (flags & NGHTTP2_FLAG_ACK) != 0;
  switch (type) {
    case NGHTTP2_HEADERS: {
      auto* stream =
          static_cast<Stream*>(nghttp2_session_get_stream_user_data(session_.get(), stream_id));
      if (stream != nullptr && !stream->answered) {
        answer(*stream);
      } else if (!guard_.controlFrame()) {  // trailers
        calm();
      }
      return 0;
    }
    case NGHTTP2_SETTINGS:
      if (ack) return 0;
      // The first SETTINGS completes the client's preface; later ones are control frames.
      if (!preface_done_) {
        preface_done_ = true;
      } else if (!guard_.controlFrame()) {
        calm();
      }
      return 0;
    case NGHTTP2_PING:
      if (ack) {
        if (noticed_ && !goaway_final_ && ping != nullptr &&
            std::memcmp(ping, kDrainPing.data(), kDrainPing.size()) == 0) {
          // Every request sent before the client saw the notice is in: the final GOAWAY.
          goaway_final_ = true;
          nghttp2_submit_goaway(session_.get(), NGHTTP2_FLAG_NONE,
                                nghttp2_session_get_last_proc_stream_id(session_.get()),
                                NGHTTP2_NO_ERROR, nullptr, 0);
        }
        return 0;
      }
      if (!guard_.controlFrame()) calm();
      return 0;
    case NGHTTP2_PRIORITY:
    case NGHTTP2_WINDOW_UPDATE:
      if (!guard_.controlFrame()) calm();
      return 0;
    case NGHTTP2_DATA:
      if (length == 0 && (flags & NGHTTP2_FLAG_END_STREAM) == 0 && !guard_.controlFrame()) {
        calm();
      }
      return 0;
    case NGHTTP2_RST_STREAM: {
      // The client cancels: an answer not yet complete was work for nothing.
      auto* stream =
          static_cast<Stream*>(nghttp2_session_get_stream_user_data(session_.get(), stream_id));
      if (stream != nullptr && !stream->complete && !guard_.abandonedStream()) calm();
      return 0;
    }
    default:
      return 0;
  }
}

int Http2Session::frameSent(std::uint8_t type, std::uint8_t flags, std::int32_t stream_id,
                            std::uint32_t error_code) {
  if (type == NGHTTP2_RST_STREAM) {
    // A stream error we answered (malformed, refused, a flow-control or state error the client
    // provoked): MadeYouReset counts these.
    if (error_code != NGHTTP2_NO_ERROR && !guard_.abandonedStream()) calm();
    return 0;
  }
  if ((type != NGHTTP2_HEADERS && type != NGHTTP2_DATA) || (flags & NGHTTP2_FLAG_END_STREAM) == 0) {
    return 0;
  }
  auto* stream =
      static_cast<Stream*>(nghttp2_session_get_stream_user_data(session_.get(), stream_id));
  if (stream == nullptr) return 0;
  stream->complete = true;
  guard_.answerCompleted();
  // RFC 9113 section 8.1: the answer is complete while the request is not (a body we do not
  // read): ask the client to stop sending it, without error.
  if (nghttp2_session_get_stream_remote_close(session_.get(), stream_id) == 0) {
    nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_NO_ERROR);
  }
  return 0;
}

int Http2Session::streamClosed(std::int32_t stream_id) {
  auto* stream =
      static_cast<Stream*>(nghttp2_session_get_stream_user_data(session_.get(), stream_id));
  if (stream == nullptr) return 0;
  if (stream->body_pending) --answering_;
  nghttp2_session_set_stream_user_data(session_.get(), stream_id, nullptr);
  stream->keep.reset();  // segments still queued hold their own
  spare_.splice(spare_.begin(), streams_, stream->self);
  return 0;
}

// The connection has spent a budget (Http2Guard): GOAWAY ENHANCE_YOUR_CALM, and nothing more is
// read or answered.
void Http2Session::calm() {
  if (failed_) return;
  spdlog::debug(
      "{}: HTTP/2 client over its budget ({} control frames, {} abandoned streams), "
      "closing",
      peer_, guard_.controlFrames(), guard_.abandonedStreams());
  nghttp2_session_terminate_session(session_.get(), NGHTTP2_ENHANCE_YOUR_CALM);
  failed_ = true;
}

// ---- answers --------------------------------------------------------------------------------

void Http2Session::answer(Stream& stream) {
  stream.answered = true;
  if (failed_) return;
  Response response;
  http::Request request;
  const http::RequestFields::Verdict verdict = stream.id == fields_stream_
                                                   ? fields_.finish(request)
                                                   : http::RequestFields::Verdict::Malformed;
  if (verdict == http::RequestFields::Verdict::Malformed) {
    refuseStream(stream.id);
    return;
  }
  if (verdict == http::RequestFields::Verdict::Refused) {
    // As HTTP/1's refusals (Http1Session::failWith), not counted as a request answered.
    answerer_.refuse(fields_.status(), response);
    submit(stream, response, nullptr);
  } else if (!respond(stream, request)) {
    // Its fields (which `request` views) wait with it; fields_ serves the next header block.
    deferred_.push_back({stream.id, std::make_unique<http::RequestFields>(fields_)});
  }
  fields_stream_ = 0;
  // keepalive_requests (like nginx's for HTTP/2 too): the client moves to a new connection.
  const unsigned limit = ctx_.keepalive_enabled ? std::max(1U, ctx_.keepalive_requests) : 1U;
  if (requests_ >= limit && !goaway_final_) {
    goaway_final_ = true;
    nghttp2_submit_goaway(session_.get(), NGHTTP2_FLAG_NONE, stream.id, NGHTTP2_NO_ERROR, nullptr,
                          0);
  }
}

// Answers `request` on `stream`, or returns false when the answer waits for a credential check
// (nothing is counted or sent until it is known).
bool Http2Session::respond(Stream& stream, const http::Request& request) {
  Response response;
  response.head.version_minor = 1;
  answerer_.answer(request, response);  // every request names a host: no local address needed
  if (response.deferred) return false;
  if (ctx_.requests != nullptr) ctx_.requests->fetch_add(1, std::memory_order_relaxed);
  if (ctx_.counters.http2_streams != nullptr) {
    ctx_.counters.http2_streams->fetch_add(1, std::memory_order_relaxed);
  }
  submit(stream, response, &request);
  return true;
}

// The credential checks woke the worker: every waiting request asks again, in the order they
// came; one whose stream the client has closed meanwhile is dropped.
void Http2Session::answerDeferred() {
  std::vector<Deferred> waiting;
  waiting.swap(deferred_);
  for (Deferred& entry : waiting) {
    auto* stream =
        static_cast<Stream*>(nghttp2_session_get_stream_user_data(session_.get(), entry.stream_id));
    if (stream == nullptr) continue;
    http::Request request;
    if (entry.fields->finish(request) != http::RequestFields::Verdict::Ok) continue;
    if (!respond(*stream, request)) deferred_.push_back(std::move(entry));
  }
  generate();
}

void Http2Session::refuseStream(std::int32_t stream_id) {
  nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_PROTOCOL_ERROR);
}

// The head as an HTTP/2 header list, and the body as a data source that nghttp2 reads in
// frames as the flow-control windows allow.
void Http2Session::submit(Stream& stream, Response& response, const http::Request* request) {
  response.head.date = http::currentDate(now_);
  HeaderList list(response.head.status);
  http::forEachField(response.head, list);
  const std::uint64_t length = response.bodyLength();
  switch (response.body) {
    case BodySource::None:
      break;
    case BodySource::Page:
      stream.bytes = response.page.data();  // static storage
      break;
    case BodySource::Encoded: {
      // GzipEncoder's buffer is the thread's, reused by the next answer: the body is kept here.
      auto copy = std::make_shared<const std::string>(response.page);
      stream.bytes = copy->data();
      stream.keep = std::move(copy);
      break;
    }
    case BodySource::Generated: {
      auto owned = std::make_shared<const std::string>(std::move(response.generated));
      stream.bytes = owned->data();
      stream.keep = std::move(owned);
      break;
    }
    case BodySource::File:
      stream.offset = static_cast<off_t>(response.head.range_first);
      if (response.cached && response.cached->has_body) {
        stream.bytes = response.cached->body.data();  // the cache's bytes: no system call
        stream.keep = std::move(response.cached);
      } else if (response.cached) {
        stream.fd = response.cached->fd.get();
        stream.keep = std::move(response.cached);
      } else {
        auto file = std::make_shared<const base::UniqueFd>(std::move(response.file));
        stream.fd = file->get();
        stream.keep = std::move(file);
      }
      break;
  }
  stream.remaining = length;
  nghttp2_data_provider provider{};
  provider.source.ptr = &stream;
  provider.read_callback = Http2Callbacks::readBody;
  if (length > 0) {
    stream.body_pending = true;
    ++answering_;
  }
  if (ctx_.access_log != nullptr) logAnswer(response, request);
  int rv = nghttp2_submit_response(session_.get(), stream.id, list.data(), list.size(),
                                   length > 0 ? &provider : nullptr);
  if (rv != 0) refuseStream(stream.id);
}

void Http2Session::logAnswer(const Response& response, const http::Request* request) {
  log::AccessEntry entry;
  entry.peer = peer_;
  entry.method = "-";
  entry.target = "-";
  entry.version_major = 2;
  entry.version_minor = 0;
  entry.status = http::code(response.head.status);
  entry.body_bytes = response.bodyLength();
  entry.when = now_;
  if (request != nullptr) {
    entry.method = request->method_text;
    entry.target = request->target;
    entry.referer = request->referer;
    entry.user_agent = request->user_agent;
  }
  ctx_.access_log->record(entry);
}

// nghttp2 asks for the next DATA frame's payload: its length only (NO_COPY); sendBody() queues
// the frame.
ssize_t Http2Session::readBody(Stream& stream, std::size_t length, std::uint32_t* flags) {
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(length, stream.remaining));
  *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
  if (n == stream.remaining) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

// One DATA frame: its header into the arena, its payload as a reference to the memory or the
// file range, written by writeTo() in order. Asked again later while the queue is full.
int Http2Session::sendBody(Stream& stream, const std::uint8_t* frame_head, std::size_t length) {
  if (queued_ >= kOutputHighWater) return NGHTTP2_ERR_WOULDBLOCK;
  queueBytes(frame_head, kFrameHead);
  if (length > 0) {
    Segment body;
    body.length = length;
    body.keep = stream.keep;
    if (stream.fd >= 0) {
      body.kind = Segment::Kind::File;
      body.fd = stream.fd;
      body.offset = stream.offset;
    } else {
      body.kind = Segment::Kind::Memory;
      body.data = stream.bytes + stream.offset;
    }
    segments_.push_back(std::move(body));
    queued_ += length;
  }
  stream.offset += static_cast<off_t>(length);
  stream.remaining -= length;
  progress_ += length;
  guard_.bodySent(length);
  if (stream.remaining == 0 && stream.body_pending) {
    stream.body_pending = false;
    --answering_;
  }
  return 0;
}

bool Http2Session::queueBytes(const std::uint8_t* data, std::size_t length) {
  if (head_ < segments_.size() && segments_.back().kind == Segment::Kind::Arena &&
      segments_.back().at + segments_.back().length == arena_.size()) {
    segments_.back().length += length;
  } else {
    Segment bytes;
    bytes.at = arena_.size();
    bytes.length = length;
    segments_.push_back(std::move(bytes));
  }
  arena_.append(reinterpret_cast<const char*>(data), length);
  queued_ += length;
  return true;
}

// Asks nghttp2 for frames until it has none, or the queue reaches the high-water mark.
void Http2Session::generate() {
  if (!session_) return;
  more_to_generate_ = false;
  for (;;) {
    if (queued_ >= kOutputHighWater) {
      more_to_generate_ = nghttp2_session_want_write(session_.get()) != 0;
      return;
    }
    const std::uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_.get(), &data);
    if (n < 0) {
      failed_ = true;
      return;
    }
    if (n == 0) {
      // A no-copy DATA frame that found the queue full stops mem_send without a byte.
      more_to_generate_ = queued_ >= kOutputHighWater && nghttp2_session_want_write(session_.get());
      return;
    }
    queueBytes(data, static_cast<std::size_t>(n));
  }
}

// ---- output ---------------------------------------------------------------------------------

bool Http2Session::hasOutput() const noexcept {
  return head_ < segments_.size() || tls_sent_ < tls_out_.size() || more_to_generate_;
}

bool Http2Session::closeAfterOutput() const noexcept {
  if (failed_ || !session_) return true;
  return nghttp2_session_want_read(session_.get()) == 0 &&
         nghttp2_session_want_write(session_.get()) == 0;
}

FlushResult Http2Session::writeTo(int fd) {
  for (;;) {
    FlushResult r = tls_ ? writeTls() : writePlain(fd);
    if (r != FlushResult::Done) return r;
    segments_.clear();
    arena_.clear();
    head_ = head_done_ = 0;
    queued_ = 0;
    if (more_to_generate_) {
      generate();
      continue;
    }
    // The last frames are out: a truncation attack cannot fake that the session ended.
    if (tls_ && closeAfterOutput()) tls_->closeNotify();
    return FlushResult::Done;
  }
}

// Marks `bytes` of the queue's front as written.
void Http2Session::consumeSegments(std::size_t bytes) {
  queued_ -= bytes;
  while (bytes > 0) {
    Segment& s = segments_[head_];
    std::size_t left = s.length - head_done_;
    if (bytes < left) {
      head_done_ += bytes;
      return;
    }
    bytes -= left;
    s.keep.reset();  // the file or bytes may go now
    ++head_;
    head_done_ = 0;
  }
}

// Frame bytes and bodies in memory by one sendmsg() (MSG_MORE when a file follows), file bodies
// by sendfile(): the frame header leaves from user space, the payload straight from the page
// cache.
FlushResult Http2Session::writePlain(int fd) {
  while (head_ < segments_.size()) {
    Segment& front = segments_[head_];
    if (front.kind == Segment::Kind::File) {
      off_t offset = front.offset + static_cast<off_t>(head_done_);
      net::IoResult r = net::sendFileSome(fd, front.fd, offset, front.length - head_done_);
      if (r.error == EAGAIN) return FlushResult::WouldBlock;
      if (r.error != 0 || r.bytes == 0) return FlushResult::Error;  // 0: the file shrank
      consumeSegments(r.bytes);
      continue;
    }
    std::array<iovec, kMaxIov> iov{};
    int count = 0;
    bool file_follows = false;
    for (std::size_t i = head_; i < segments_.size() && count < kMaxIov; ++i) {
      const Segment& s = segments_[i];
      if (s.kind == Segment::Kind::File) {
        file_follows = true;
        break;
      }
      const char* base = s.kind == Segment::Kind::Arena ? arena_.data() + s.at : s.data;
      const std::size_t skip = i == head_ ? head_done_ : 0;
      iov[static_cast<std::size_t>(count++)] = {const_cast<char*>(base + skip), s.length - skip};
    }
    net::IoResult r = net::sendVector(fd, iov.data(), count, file_follows);
    if (r.error == EAGAIN) return FlushResult::WouldBlock;
    if (r.error != 0) return FlushResult::Error;
    consumeSegments(r.bytes);
  }
  return FlushResult::Done;
}

FlushResult Http2Session::writeTls() {
  for (;;) {
    while (tls_sent_ < tls_out_.size()) {
      tls::IoOutcome r = tls_->write(tls_out_.data() + tls_sent_, tls_out_.size() - tls_sent_);
      if (r.status == tls::Io::WantWrite) return FlushResult::WouldBlock;
      if (r.status != tls::Io::Ok) return FlushResult::Error;
      tls_sent_ += r.bytes;
    }
    tls_out_.clear();
    tls_sent_ = 0;
    if (head_ == segments_.size()) return FlushResult::Done;
    Segment& front = segments_[head_];
    if (front.kind == Segment::Kind::File && tls_->kernelSend()) {
      // The kernel encrypts: the payload goes by sendfile as on a plain connection.
      tls::IoOutcome r = tls_->sendFile(front.fd, front.offset + static_cast<off_t>(head_done_),
                                        front.length - head_done_);
      if (r.status == tls::Io::WantWrite) return FlushResult::WouldBlock;
      if (r.status != tls::Io::Ok) return FlushResult::Error;
      consumeSegments(r.bytes);
      continue;
    }
    if (!fillTlsBuffer()) return FlushResult::Error;
  }
}

// Copies the queue's front into tls_out_ (a pread() for file bodies) up to kTlsChunk, so that
// frame headers and payloads leave in full records; stops before a file body the kernel will
// send itself.
bool Http2Session::fillTlsBuffer() {
  std::size_t taken = 0;
  std::size_t index = head_;
  std::size_t skip = head_done_;
  while (index < segments_.size() && tls_out_.size() < kTlsChunk) {
    const Segment& s = segments_[index];
    const std::size_t room = kTlsChunk - tls_out_.size();
    const std::size_t n = std::min(room, s.length - skip);
    if (s.kind == Segment::Kind::File) {
      if (tls_->kernelSend() && !tls_out_.empty()) break;
      const std::size_t at = tls_out_.size();
      tls_out_.resize(at + n);
      ssize_t got = ::pread(s.fd, tls_out_.data() + at, n, s.offset + static_cast<off_t>(skip));
      if (got != static_cast<ssize_t>(n)) return false;  // the file shrank or failed under us
    } else {
      const char* base = s.kind == Segment::Kind::Arena ? arena_.data() + s.at : s.data;
      tls_out_.append(base + skip, n);
    }
    taken += n;
    if (n < s.length - skip) break;
    ++index;
    skip = 0;
  }
  consumeSegments(taken);
  return true;
}

// ---- life cycle -----------------------------------------------------------------------------

void Http2Session::drain() {
  draining_ = true;  // the GOAWAY waits for a pause in the requests: expire()
}

// Stopping, an HTTP/2 connection is asked to go away at the first pause in its requests (the
// worker's deadline: InputDeadline), not at once: a client in the middle of a burst keeps its
// connection until the burst ends, and one that does not open a new connection on GOAWAY (a
// load generator) does not lose the requests it has yet to send. Then the two GOAWAYs of RFC
// 9113 section 6.8: a notice, and a PING whose answer proves that every request sent before the
// client saw the notice has arrived; the final GOAWAY names the last of them.
void Http2Session::expire() {
  if (!session_) return;
  if (draining_ && !noticed_ && !goaway_final_ && !failed_) {
    noticed_ = true;
    nghttp2_submit_shutdown_notice(session_.get());
    nghttp2_submit_ping(session_.get(), NGHTTP2_FLAG_NONE, kDrainPing.data());
    generate();
    return;
  }
  nghttp2_session_terminate_session(session_.get(), NGHTTP2_NO_ERROR);
  failed_ = true;
  generate();
}

void Http2Session::releaseIdleBuffers() noexcept {
  if (in_start_ == in_end_) {
    std::vector<char>().swap(in_);
    in_start_ = in_end_ = 0;
  }
  if (!hasOutput()) {
    std::string().swap(arena_);
    std::vector<Segment>().swap(segments_);
    head_ = head_done_ = 0;
    std::string().swap(tls_out_);
    tls_sent_ = 0;
  }
  answerer_.releaseIdleBuffers();
  // A header block half received (its frame split across reads) keeps what it has decoded.
  if (fields_stream_ == 0) fields_.release();
  spare_.clear();
}

}  // namespace learnhttpd::protocol
