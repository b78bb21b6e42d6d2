// SPDX-License-Identifier: MIT
#pragma once
// What a response field the operator configures may be (RFC 9110 section 5): the loader refuses
// what breaks these rules (a header rule's name and value, a mime_types value, a charset), so
// that nothing from a configuration can split a response head or contradict its framing. Pure.

#include <string_view>

namespace learnhttpd::http {

// A token (RFC 9110 section 5.6.2): a field name, a charset, a media type's part.
bool isToken(std::string_view text) noexcept;
// A field value that stays one field: visible characters (and obs-text), spaces and tabs
// inside, none around it; no CR, LF, NUL or other control character (response splitting).
bool isFieldValue(std::string_view text) noexcept;
// A field name compared the way field names are: ASCII case-insensitively.
bool sameFieldName(std::string_view a, std::string_view b) noexcept;
// A field the server writes itself (framing, validators, the coding, ...): a rule that set one
// would send it twice or contradict the body.
bool isManagedField(std::string_view name) noexcept;

}  // namespace learnhttpd::http
