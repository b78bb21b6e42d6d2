// SPDX-License-Identifier: MIT
#include "http/response_head.hpp"

#include <array>
#include <charconv>

#include "http/http_date.hpp"

namespace learnhttpd::http {
namespace {

template <typename Int>
void appendNumber(std::string& out, Int value) {
  std::array<char, 24> buf{};
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  out.append(buf.data(), res.ptr);
}

void appendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

void appendStatusLine(const ResponseHead& head, std::string& out) {
  out.append(head.version_minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
  appendNumber(out, code(head.status));
  out.push_back(' ');
  out.append(reasonPhrase(head.status));
  out.append("\r\n");
}

// A page a browser shows as a page, in a few hundred bytes: HTML5 with its charset, the CSS
// inline (an error page that loads a stylesheet costs a second request that may fail too),
// nothing fetched from elsewhere.
std::string makeErrorBody(Status s) {
  std::string title = std::to_string(code(s));
  title.push_back(' ');
  title.append(reasonPhrase(s));
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>";
  page += title;
  page +=
      "</title><style>body{font:1rem/1.5 system-ui,sans-serif;max-width:36rem;"
      "margin:10vh auto;padding:0 1rem;color:#222}h1{font-size:1.5rem;margin:0}"
      "footer{border-top:1px solid #ccc;color:#666;font-size:.875rem}</style></head>\n<body><h1>";
  page += title;
  page += "</h1><p>";
  page += explanation(s);
  page += "</p><footer>";
  page += kServerName;
  page += "</footer></body></html>\n";
  return page;
}

// HTTP/1.1's serialisation of forEachField: "Name: value" lines, the configured fields as they
// are, then the connection's own field.
struct Http1Lines {
  std::string& out;
  void field(const FieldName& name, std::string_view value) { appendField(out, name.http1, value); }
  void extra(std::string_view lines) { out.append(lines); }
};

}  // namespace

void appendResponseHead(const ResponseHead& head, std::string& out) {
  appendStatusLine(head, out);
  Http1Lines lines{out};
  forEachField(head, lines);
  appendField(out, "Connection", head.keep_alive ? "keep-alive" : "close");
  out.append("\r\n");
}

std::string_view lastModifiedText(std::time_t mtime) noexcept {
  thread_local std::time_t cached = -1;
  thread_local std::array<char, kHttpDateLength> text{};
  if (mtime != cached) {
    formatHttpDate(mtime, text.data());
    cached = mtime;
  }
  return {text.data(), text.size()};
}

bool wantsKeepAlive(const Request& req) noexcept {
  // RFC 9112 section 9.3: persistence is the default from HTTP/1.1 on; a 1.0 client must ask.
  if (req.version_minor >= 1) return req.connection != ConnectionOption::Close;
  return req.connection == ConnectionOption::KeepAlive;
}

std::string_view errorBody(Status s) noexcept {
  // Built once, on first use (thread-safe static initialisation); afterwards only read.
  static const std::array<std::string, kAllStatuses.size()> kBodies = [] {
    std::array<std::string, kAllStatuses.size()> bodies;
    for (std::size_t i = 0; i < kAllStatuses.size(); ++i) {
      bodies[i] = makeErrorBody(kAllStatuses[i]);
    }
    return bodies;
  }();
  for (std::size_t i = 0; i < kAllStatuses.size(); ++i) {
    if (kAllStatuses[i] == s) return kBodies[i];
  }
  // Unknown enumerator value (only via a cast): fall back to the generic 500 page.
  return errorBody(Status::InternalServerError);
}

}  // namespace learnhttpd::http
