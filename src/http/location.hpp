// SPDX-License-Identifier: MIT
#pragma once
// The Location of a redirect, built in one place with one percent-encoder: to a directory's
// slash form, and from plain HTTP to HTTPS (config redirect_to_https). Never a value a browser
// could read as another host ("//x", "/\x"): a path always starts with exactly one '/', and
// an authority is ours or a checked name. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/request.hpp"

namespace learnhttpd::http {

// Appends the Location that adds the slash to the directory `decoded_path` names (http::
// decodeTarget's normal form, starting with '/'), with the query of the raw `target` kept:
// every byte of the path that is not plainly safe in a segment (RFC 3986 unreserved,
// sub-delims, ':' '@') is percent-encoded and '/' never follows '/', so the value starts with
// exactly one '/' and a segment character; the query keeps its own escapes and RFC 3986 query
// characters, and the rest is encoded. Built from the decoded path, never from the client's raw
// path, in which "//host/dir" or "/<backslash>host/dir" would send a browser to another site.
void appendDirectoryLocation(std::string_view decoded_path, std::string_view target,
                             std::string& out);

// A redirect rule's target (config redirects) as the loader accepts it: a path starting with
// exactly one '/', or, when `absolute` is allowed, "http://" or "https://", a host name or
// bracketed IPv6 address with an optional port, and such a path (or nothing). At most one '*'
// (where the captured part goes), not in a query; only characters that mean the same in a URL
// and a header value (RFC 3986 unreserved, sub-delims, ':', '@', '/', '?', and '%' starting an
// escape); no backslash, no "//" in the path.
bool isRuleTarget(std::string_view to, bool absolute) noexcept;

// Appends the Location of a redirect rule: `to` (isRuleTarget) with its '*' replaced by
// `captured` (bytes of the decoded request path the rule's pattern matched), then the query of
// the raw request `target` unless `to` has one of its own. The captured bytes are encoded as
// appendDirectoryLocation encodes a path, and '/' never follows '/' in the path: whatever the
// client sent, the value names the host the rule names, or none (a path of this host).
void appendRuleLocation(std::string_view to, std::string_view captured, std::string_view target,
                        std::string& out);

// Appends `segment` as one path segment that means itself wherever it stands in a URL: every
// byte but RFC 3986 unreserved ones percent-encoded ('/', ':', '?', '#' included), so it can
// neither add a segment nor be read as a scheme or a host (the href of a listed file name).
void appendEncodedSegment(std::string_view segment, std::string& out);

// The authority `request` names for its target (RFC 9112 section 3.3): an absolute-form
// target's ("http://HOST:PORT/..."; empty when it has none, which appendHttpsLocation refuses),
// else a non-empty Host field's. nullopt when it names none (HTTP/1.0 without Host, an empty
// Host): the server must then name itself. Views into the request's buffer.
std::optional<std::string_view> requestAuthority(const Request& request) noexcept;

// Appends "https://" HOST [":" port] PATH-AND-QUERY to `out`, where
//  - HOST is `authority` without its port, lower-cased; it must be a DNS name (letters, digits,
//    '-', '_', dot-separated labels, an optional final dot; IPv4 addresses are such names) or
//    an IPv6 address in brackets, at most 255 bytes. Anything else (percent-escapes, '@', '/',
//    '\\', sub-delims, IPvFuture, an empty name) could make a browser read another host or
//    path out of the value: false, `out` unchanged, and the answer is 400.
//  - ":" port is omitted when `port` is 443;
//  - PATH-AND-QUERY is `target` as sent (the parser admits no CTL or space in it), but for
//    an absolute-form target only what follows its authority ("/" when that is empty or starts
//    with '?'); bytes above 0x7E are percent-encoded, as a browser would before following it.
bool appendHttpsLocation(std::string_view authority, std::string_view target, std::uint16_t port,
                         std::string& out);

}  // namespace learnhttpd::http
