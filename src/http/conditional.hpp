#pragma once
// Conditional-request decisions (RFC 9110 section 13). Pure.

#include <ctime>
#include <string_view>

namespace learnhttpd::http {

// True when a GET/HEAD with this If-Modified-Since value may be answered 304: the value is a
// valid HTTP-date and the file's mtime is not later than it. Empty or invalid values -> false.
bool notModifiedSince(std::string_view if_modified_since, std::time_t mtime) noexcept;

}  // namespace learnhttpd::http
