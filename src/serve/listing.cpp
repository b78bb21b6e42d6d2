// SPDX-License-Identifier: MIT
#include "serve/listing.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>

#include "http/location.hpp"
#include "http/text_escape.hpp"

namespace learnhttpd::serve {
namespace {

bool equalsLower(std::string_view text, std::string_view lower) noexcept {
  return text.size() == lower.size() &&
         std::equal(text.begin(), text.end(), lower.begin(), [](char c, char l) {
           return (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) == l;
         });
}

bool containsLower(std::string_view text, std::string_view lower) noexcept {
  for (std::size_t at = 0; at + lower.size() <= text.size(); ++at) {
    if (equalsLower(text.substr(at, lower.size()), lower)) return true;
  }
  return false;
}

// "format=json" as a parameter of the raw target's query.
bool queryAsksForJson(std::string_view target) noexcept {
  const std::size_t query = target.find('?');
  if (query == std::string_view::npos) return false;
  std::string_view rest = target.substr(query + 1, target.find('#', query) - query - 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    if (rest.substr(0, amp) == "format=json") return true;
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return false;
}

std::string timeText(std::time_t when, const char* format) {
  std::tm tm{};
  ::gmtime_r(&when, &tm);
  std::array<char, 32> text{};
  const std::size_t n = std::strftime(text.data(), text.size(), format, &tm);
  return {text.data(), n};
}

// "932 B", "4.0 KiB", "12.5 MiB": what a person reads; the JSON has the exact bytes.
std::string sizeText(std::uint64_t bytes) {
  constexpr std::array<const char*, 5> kUnits = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  std::array<char, 32> text{};
  const int n = std::snprintf(text.data(), text.size(), "%.1f %s", value, kUnits[unit]);
  return {text.data(), static_cast<std::size_t>(std::max(n, 0))};
}

void appendHref(std::string& out, const fs::DirectoryEntry& entry) {
  http::appendEncodedSegment(entry.name, out);
  if (entry.is_directory) out.push_back('/');
}

std::string renderHtml(std::string_view path, const fs::DirectoryListing& listing,
                       std::size_t max_entries) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Index of ";
  http::appendHtmlText(out, path);
  out +=
      "</title><style>body{font:1rem/1.5 system-ui,sans-serif;margin:2rem;color:#222}"
      "table{border-collapse:collapse}td,th{padding:.1rem 1.5rem .1rem 0;text-align:left}"
      "td.size{text-align:right}footer{color:#666;font-size:.875rem}</style></head>\n<body><h1>"
      "Index of ";
  http::appendHtmlText(out, path);
  out +=
      "</h1>\n<table><thead><tr><th>Name</th><th>Size</th><th>Modified (UTC)</th></tr>"
      "</thead><tbody>\n";
  if (path != "/") out += "<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n";
  for (const fs::DirectoryEntry& entry : listing.entries) {
    out += "<tr><td><a href=\"";
    appendHref(out, entry);
    out += "\">";
    http::appendHtmlText(out, entry.name);
    if (entry.is_directory) out.push_back('/');
    out += "</a></td><td class=\"size\">";
    out += entry.is_directory ? "-" : sizeText(entry.size);
    out += "</td><td>";
    out += timeText(entry.mtime, "%Y-%m-%d %H:%M");
    out += "</td></tr>\n";
  }
  out += "</tbody></table>\n";
  if (listing.truncated) {
    out += "<p><strong>This directory has more entries than the " + std::to_string(max_entries) +
           " shown here (listing.max_entries).</strong></p>\n";
  }
  out += "<footer>learnhttpd</footer></body></html>\n";
  return out;
}

std::string renderJson(std::string_view path, const fs::DirectoryListing& listing,
                       std::size_t max_entries) {
  std::string out = "{\"path\": \"";
  http::appendJsonString(out, path);
  out += "\", \"entries\": [";
  bool first = true;
  for (const fs::DirectoryEntry& entry : listing.entries) {
    out += first ? "\n  {\"name\": \"" : ",\n  {\"name\": \"";
    first = false;
    http::appendJsonString(out, entry.name);
    // The name's exact bytes, percent-encoded: a name that is not UTF-8 is shown with U+FFFD
    // above, and found again through this.
    out += "\", \"href\": \"";
    appendHref(out, entry);
    out += "\", \"type\": \"";
    out += entry.is_directory ? "directory" : "file";
    out += "\", \"size\": " + std::to_string(entry.size);
    out += ", \"modified\": \"" + timeText(entry.mtime, "%Y-%m-%dT%H:%M:%SZ") + "\"}";
  }
  out += first ? "]" : "\n]";
  out += ", \"truncated\": ";
  out += listing.truncated ? "true" : "false";
  out += ", \"max_entries\": " + std::to_string(max_entries) + "}\n";
  return out;
}

}  // namespace

ListingFormat listingFormat(const http::Request& request) noexcept {
  if (queryAsksForJson(request.target)) return ListingFormat::Json;
  bool json = false;
  for (std::size_t i = 0; i < request.accept.count; ++i) {
    if (containsLower(request.accept.lines[i], "text/html")) return ListingFormat::Html;
    json = json || containsLower(request.accept.lines[i], "application/json");
  }
  return json ? ListingFormat::Json : ListingFormat::Html;
}

void sortListing(fs::DirectoryListing& listing) {
  std::sort(listing.entries.begin(), listing.entries.end(),
            [](const fs::DirectoryEntry& a, const fs::DirectoryEntry& b) {
              if (a.is_directory != b.is_directory) return a.is_directory;
              return a.name < b.name;
            });
}

std::string renderListing(ListingFormat format, std::string_view decoded_path,
                          const fs::DirectoryListing& listing, std::size_t max_entries) {
  return format == ListingFormat::Json ? renderJson(decoded_path, listing, max_entries)
                                       : renderHtml(decoded_path, listing, max_entries);
}

std::uint64_t listingDigest(const fs::DirectoryListing& listing) noexcept {
  // FNV-1a: a cheap, stable mix (it only has to change when the listing does).
  std::uint64_t hash = 14695981039346656037ULL;
  const auto mix = [&hash](const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
      hash ^= bytes[i];
      hash *= 1099511628211ULL;
    }
  };
  const auto mixNumber = [&mix](std::int64_t value) { mix(&value, sizeof value); };
  mixNumber(listing.st.st_ctim.tv_sec);
  mixNumber(listing.st.st_ctim.tv_nsec);
  mixNumber(listing.truncated ? 1 : 0);
  for (const fs::DirectoryEntry& entry : listing.entries) {
    mix(entry.name.data(), entry.name.size() + 1);  // with the NUL: "ab","c" differs from "a","bc"
    mixNumber(entry.is_directory ? 1 : 0);
    mixNumber(static_cast<std::int64_t>(entry.size));
    mixNumber(entry.mtime);
  }
  return hash;
}

std::time_t listingModified(const fs::DirectoryListing& listing) noexcept {
  std::time_t newest = listing.st.st_mtime;
  for (const fs::DirectoryEntry& entry : listing.entries) newest = std::max(newest, entry.mtime);
  return newest;
}

}  // namespace learnhttpd::serve
