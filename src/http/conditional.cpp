#include "http/conditional.hpp"

#include "http/http_date.hpp"

namespace learnhttpd::http {

bool notModifiedSince(std::string_view if_modified_since, std::time_t mtime) noexcept {
  // RFC 9110 section 13.1.3: an invalid date means the condition is ignored, so the full
  // response is sent. HTTP dates have one-second resolution, hence the plain comparison.
  const std::optional<std::time_t> since = parseHttpDate(if_modified_since);
  return since.has_value() && mtime <= *since;
}

}  // namespace learnhttpd::http
