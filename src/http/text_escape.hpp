// SPDX-License-Identifier: MIT
#pragma once
// Text from files and clients (a file name, a log line) put into a document the server makes:
// a JSON string, HTML text or attribute. Whatever the bytes, the document stays well formed and
// means what it says: no byte can end a string, open a tag or start an escape. Pure.

#include <cstddef>
#include <string>
#include <string_view>

namespace learnhttpd::http {

// The length of the UTF-8 sequence at the start of `text`, or 0 when it is not one (overlong
// forms, surrogates and code points past U+10FFFF included).
std::size_t utf8Length(std::string_view text) noexcept;

// `text` as the inside of a JSON string: quotes, backslashes and control characters escaped,
// bytes that are not UTF-8 replaced by U+FFFD.
void appendJsonString(std::string& out, std::string_view text);

// `text` as HTML text or the inside of a quoted attribute value: & < > " ' as character
// references, control characters and bytes that are not UTF-8 as U+FFFD.
void appendHtmlText(std::string& out, std::string_view text);

}  // namespace learnhttpd::http
