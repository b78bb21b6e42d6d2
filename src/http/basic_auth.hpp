// SPDX-License-Identifier: MIT
#pragma once
// The Basic authentication scheme (RFC 7617): reading a request's credentials, and the
// challenge of a 401. Pure.

#include <optional>
#include <string>
#include <string_view>

namespace learnhttpd::http {

struct BasicCredentials {
  std::string user;
  std::string password;
};

// The user and password of an Authorization value "Basic <base64 of user:password>": the
// scheme compared without case (RFC 9110 section 11.1), strict base64 (RFC 4648 section 4,
// padding as required, no whitespace inside), the user up to the first ':' (RFC 7617 section
// 2). Nullopt for any other scheme, malformed base64, no ':', a control character in either
// part, or a value over kMaxAuthorization bytes.
std::optional<BasicCredentials> parseBasicCredentials(std::string_view authorization);
inline constexpr std::size_t kMaxAuthorization = 4096;

// "WWW-Authenticate: Basic realm=\"REALM\", charset=\"UTF-8\"\r\n" (RFC 7617 sections 2 and
// 2.1); `realm` holds no '"', '\\' or control character (the loader checks).
std::string basicChallenge(std::string_view realm);

}  // namespace learnhttpd::http
