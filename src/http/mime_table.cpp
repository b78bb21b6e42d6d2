// SPDX-License-Identifier: MIT
#include "http/mime_table.hpp"

#include <array>

#include "http/char_class.hpp"

namespace learnhttpd::http {
namespace {

constexpr std::string_view kDefaultType = "application/octet-stream";

// Extensions longer than this are treated as unknown. Keeping keys within libstdc++'s
// small-string buffer (15 chars) is what lets lookup() build its key without touching the heap.
constexpr std::size_t kMaxExtension = 15;

struct Entry {
  std::string_view ext;
  std::string_view type;
};

// Bare types: the charset, when configured, is added by the constructor.
constexpr std::array kBuiltIn = {
    Entry{"html", "text/html"},
    Entry{"htm", "text/html"},
    Entry{"css", "text/css"},
    Entry{"js", "application/javascript"},
    Entry{"mjs", "application/javascript"},
    Entry{"jpg", "image/jpeg"},
    Entry{"jpeg", "image/jpeg"},
    Entry{"png", "image/png"},
    Entry{"gif", "image/gif"},
    Entry{"swf", "application/x-shockwave-flash"},
    Entry{"txt", "text/plain"},
    Entry{"svg", "image/svg+xml"},
    Entry{"ico", "image/x-icon"},
    Entry{"json", "application/json"},
    Entry{"xml", "application/xml"},
    Entry{"pdf", "application/pdf"},
    Entry{"woff", "font/woff"},
    Entry{"woff2", "font/woff2"},
    Entry{"ttf", "font/ttf"},
    Entry{"otf", "font/otf"},
    Entry{"wasm", "application/wasm"},
    Entry{"mp4", "video/mp4"},
    Entry{"webm", "video/webm"},
    Entry{"webp", "image/webp"},
    Entry{"avif", "image/avif"},
    Entry{"mp3", "audio/mpeg"},
    Entry{"ogg", "audio/ogg"},
    Entry{"wav", "audio/wav"},
    Entry{"csv", "text/csv"},
    Entry{"md", "text/markdown"},
    Entry{"zip", "application/zip"},
    Entry{"gz", "application/gzip"},
    Entry{"tar", "application/x-tar"},
    Entry{"map", "application/json"},
    Entry{"bmp", "image/bmp"},
    Entry{"tif", "image/tiff"},
    Entry{"tiff", "image/tiff"},
    Entry{"webmanifest", "application/manifest+json"},
};

// The media type of a Content-Type value: what precedes its parameters (RFC 9110 section 8.3.1).
std::string_view mediaType(std::string_view content_type) noexcept {
  return detail::trimOws(content_type.substr(0, content_type.find(';')));
}

bool hasSuffixLower(std::string_view text, std::string_view lower) noexcept {
  return text.size() >= lower.size() &&
         detail::equalsLower(text.substr(text.size() - lower.size()), lower);
}

// Types whose body is text in some charset, which a client must otherwise guess (browsers fall
// back to a legacy encoding of the user's locale: a UTF-8 .txt shows as mojibake). JSON has no
// charset parameter (RFC 8259 section 11: compliant recipients ignore it); it is there for the
// clients that show JSON as text. The suffixes are the +json and +xml structured syntaxes
// (RFC 6839, RFC 7303).
bool takesCharset(std::string_view content_type) noexcept {
  const std::string_view media = mediaType(content_type);
  return (media.size() > 5 && detail::equalsLower(media.substr(0, 5), "text/")) ||
         detail::equalsLower(media, "application/javascript") ||
         detail::equalsLower(media, "application/json") ||
         detail::equalsLower(media, "application/xml") || hasSuffixLower(media, "+json") ||
         hasSuffixLower(media, "+xml");
}

// Whether a parameter of `content_type` is a charset (names are case-insensitive).
bool namesCharset(std::string_view content_type) noexcept {
  std::size_t semicolon = content_type.find(';');
  while (semicolon != std::string_view::npos) {
    content_type.remove_prefix(semicolon + 1);
    semicolon = content_type.find(';');
    const std::string_view parameter = content_type.substr(0, semicolon);
    if (detail::equalsLower(detail::trimOws(parameter.substr(0, parameter.find('='))), "charset")) {
      return true;
    }
  }
  return false;
}

std::string withCharset(std::string_view content_type, std::string_view charset) {
  std::string value(content_type);
  if (!charset.empty() && takesCharset(content_type) && !namesCharset(content_type)) {
    value.append("; charset=").append(charset);
  }
  return value;
}

std::string lowerKey(std::string_view ext) {
  if (!ext.empty() && ext.front() == '.') ext.remove_prefix(1);
  std::string key(ext);
  for (char& c : key) c = detail::toLowerAscii(c);
  return key;
}

// The extension of the last path segment: "a.tar.gz" -> "gz"; none for "/dir.d/file",
// "/.hidden" (a leading dot marks a hidden name, not an extension) or "name.".
std::string_view extensionOf(std::string_view path) noexcept {
  const std::size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

}  // namespace

MimeTable::MimeTable(const std::vector<std::pair<std::string, std::string>>& overrides,
                     std::string_view charset) {
  types_.reserve(kBuiltIn.size() + overrides.size());
  for (const Entry& e : kBuiltIn) types_.emplace(std::string(e.ext), withCharset(e.type, charset));
  for (const auto& [ext, type] : overrides) {
    std::string key = lowerKey(ext);
    if (!key.empty()) types_.insert_or_assign(std::move(key), withCharset(type, charset));
  }
}

std::string_view MimeTable::lookup(std::string_view path) const noexcept {
  const std::string_view ext = extensionOf(path);
  if (ext.empty() || ext.size() > kMaxExtension) return kDefaultType;
  std::array<char, kMaxExtension> lower{};
  for (std::size_t i = 0; i < ext.size(); ++i) lower[i] = detail::toLowerAscii(ext[i]);
  // Fits the small-string buffer (see kMaxExtension), so this constructs without allocating.
  const std::string key(lower.data(), ext.size());
  const auto it = types_.find(key);
  return it == types_.end() ? kDefaultType : std::string_view(it->second);
}

}  // namespace learnhttpd::http
