// SPDX-License-Identifier: MIT
#pragma once
// Turning a request-target into a safe path under the document root (pure, no I/O).

#include <string>
#include <string_view>

#include "http/status.hpp"

namespace learnhttpd::http {

struct TargetPath {
  bool ok = false;
  Status error = Status::BadRequest;  // meaningful when !ok
  bool trailing_slash = false;        // the decoded path ended with '/'
};

// Decodes `target` (origin-form "/a%20b?q" or absolute-form "http://host/a") into `out`:
// drops the query and fragment, percent-decodes, removes "." segments, resolves ".." segments
// and collapses repeated slashes. On success `out` is an absolute path starting with '/', with
// no "." or ".." segment, so it can never name anything above the root.
// Errors (-> 400): a target not in origin- or absolute-form, a bad %-escape, a decoded NUL,
// a ".." that would climb above the root.
// `out` is cleared first; reusing one string per connection avoids allocating per request.
TargetPath decodeTarget(std::string_view target, std::string& out);

// Whether `path` (a decoded path such as decodeTarget's output) names a hidden file: one of its
// '/'-separated components starts with '.' (".env", ".git", "a/.b"), except ".well-known" as
// the first component (RFC 8615: ACME challenges, security.txt); deeper dot components under it
// are hidden all the same. Components are compared as bytes: "/.Well-Known/" is hidden.
bool isHiddenPath(std::string_view path) noexcept;

}  // namespace learnhttpd::http
