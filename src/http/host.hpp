// SPDX-License-Identifier: MIT
#pragma once
// Host field syntax (RFC 9112 section 3.2, RFC 3986 section 3.2.2). Pure.

#include <string_view>

namespace learnhttpd::http {

// True when `value` (already OWS-trimmed) is `uri-host [ ":" port ]`: a reg-name (unreserved,
// pct-encoded, sub-delims; this covers IPv4 addresses) or an IP-literal in brackets (IPv6
// digits and colons, possibly ending in a dotted quad, or "v" HEXDIG "." IPvFuture), then an
// optional colon and decimal digits. The empty value is valid: a client sends it when the
// target has no authority.
bool isValidHost(std::string_view value) noexcept;

}  // namespace learnhttpd::http
