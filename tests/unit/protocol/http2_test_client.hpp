// SPDX-License-Identifier: MIT
#pragma once
// A small HTTP/2 client on libnghttp2's client session, for tests that talk to an Http2Session
// byte for byte without a socket: bytes() is what the client would send, take() what the server
// sent; each stream's answer is collected.

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace learnhttpd::testing {

struct Answer {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;
  bool ended = false;
  std::uint32_t reset = 0;  // RST_STREAM's error code, when reset
  bool was_reset = false;

  std::string field(std::string_view name) const {
    for (const auto& [n, v] : fields) {
      if (n == name) return v;
    }
    return "<none>";
  }
};

class Http2TestClient {
 public:
  // `settings`: the client's SETTINGS (e.g. an initial window of 0).
  explicit Http2TestClient(std::vector<nghttp2_settings_entry> own_settings = {},
                           bool auto_window = true) {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_header_callback(cb, onHeader);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, onData);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, onFrame);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, onClose);
    nghttp2_option* option = nullptr;
    nghttp2_option_new(&option);
    nghttp2_option_set_no_auto_ping_ack(option, 1);  // the test decides when to answer a PING
    if (!auto_window) nghttp2_option_set_no_auto_window_update(option, 1);
    nghttp2_session* session = nullptr;
    nghttp2_session_client_new2(&session, cb, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(cb);
    session_.reset(session);
    nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, own_settings.data(), own_settings.size());
  }

  // A GET (or `method`) of `path`; returns its stream id.
  std::int32_t request(const std::string& path, const std::string& method = "GET",
                       std::vector<std::pair<std::string, std::string>> extra = {}) {
    std::vector<std::pair<std::string, std::string>> fields = {
        {":method", method}, {":scheme", "http"}, {":authority", "localhost"}, {":path", path}};
    fields.insert(fields.end(), extra.begin(), extra.end());
    std::vector<nghttp2_nv> nv;
    for (auto& [n, v] : fields) {
      nv.push_back({reinterpret_cast<std::uint8_t*>(n.data()),
                    reinterpret_cast<std::uint8_t*>(v.data()), n.size(), v.size(),
                    NGHTTP2_NV_FLAG_NONE});
    }
    return nghttp2_submit_request(session_.get(), nullptr, nv.data(), nv.size(), nullptr, this);
  }

  void ping(const std::uint8_t* opaque, bool ack) {
    nghttp2_submit_ping(session_.get(), ack ? NGHTTP2_FLAG_ACK : NGHTTP2_FLAG_NONE, opaque);
  }

  void windowUpdate(std::int32_t stream_id, std::int32_t increment) {
    nghttp2_submit_window_update(session_.get(), NGHTTP2_FLAG_NONE, stream_id, increment);
  }

  // What the client sends now.
  std::string bytes() {
    std::string out;
    for (;;) {
      const std::uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(session_.get(), &data);
      if (n <= 0) return out;
      out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
  }

  // What the server sent; false when the client found it broken.
  bool take(std::string_view from_server) {
    ssize_t n = nghttp2_session_mem_recv(session_.get(),
                                         reinterpret_cast<const std::uint8_t*>(from_server.data()),
                                         from_server.size());
    return n == static_cast<ssize_t>(from_server.size());
  }

  std::map<std::int32_t, Answer> answers;
  std::map<std::int32_t, std::uint32_t> settings;               // the server's last SETTINGS
  std::vector<std::pair<std::int32_t, std::uint32_t>> goaways;  // (last stream id, error)
  std::vector<std::array<std::uint8_t, 8>> pings;               // the server's PINGs
  int settings_frames = 0;

 private:
  static Http2TestClient& self(void* user) { return *static_cast<Http2TestClient*>(user); }

  static int onHeader(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                      std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                      std::uint8_t, void* user) {
    Answer& a = self(user).answers[frame->hd.stream_id];
    std::string n(reinterpret_cast<const char*>(name), name_length);
    std::string v(reinterpret_cast<const char*>(value), value_length);
    if (n == ":status") {
      a.status = std::stoi(v);
    } else {
      a.fields.emplace_back(std::move(n), std::move(v));
    }
    return 0;
  }
  static int onData(nghttp2_session*, std::uint8_t, std::int32_t stream_id,
                    const std::uint8_t* data, std::size_t length, void* user) {
    self(user).answers[stream_id].body.append(reinterpret_cast<const char*>(data), length);
    return 0;
  }
  static int onFrame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    Http2TestClient& c = self(user);
    if ((frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
      c.answers[frame->hd.stream_id].ended = true;
    } else if (frame->hd.type == NGHTTP2_RST_STREAM) {
      c.answers[frame->hd.stream_id].was_reset = true;
      c.answers[frame->hd.stream_id].reset = frame->rst_stream.error_code;
    } else if (frame->hd.type == NGHTTP2_GOAWAY) {
      c.goaways.emplace_back(frame->goaway.last_stream_id, frame->goaway.error_code);
    } else if (frame->hd.type == NGHTTP2_SETTINGS && (frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) {
      ++c.settings_frames;
      for (std::size_t i = 0; i < frame->settings.niv; ++i) {
        c.settings[frame->settings.iv[i].settings_id] = frame->settings.iv[i].value;
      }
    } else if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) {
      std::array<std::uint8_t, 8> opaque{};
      std::copy_n(frame->ping.opaque_data, 8, opaque.begin());
      c.pings.push_back(opaque);
    }
    return 0;
  }
  static int onClose(nghttp2_session*, std::int32_t, std::uint32_t, void*) { return 0; }

  std::unique_ptr<nghttp2_session, void (*)(nghttp2_session*)> session_{nullptr,
                                                                        nghttp2_session_del};
};

}  // namespace learnhttpd::testing
