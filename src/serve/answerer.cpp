// SPDX-License-Identifier: MIT
// The answer's steps in order, and the answers that are not a file: redirects, OPTIONS, error
// pages, HSTS. The file itself (sidecars, gzip, ranges, conditionals) is in static_file.cpp.
#include "serve/answerer.hpp"

#include <optional>

#include "http/char_class.hpp"
#include "http/location.hpp"
#include "http/target.hpp"
#include "serve/host_names.hpp"

namespace learnhttpd::serve {
namespace {

// Whether `lines` ("Name: value\r\n" each) hold a field named `lower_name` (any case).
bool hasField(std::string_view lines, std::string_view lower_name) noexcept {
  while (!lines.empty()) {
    const std::size_t end = lines.find("\r\n");
    const std::string_view line = lines.substr(0, end);
    if (line.size() > lower_name.size() && line[lower_name.size()] == ':' &&
        http::detail::equalsLower(line.substr(0, lower_name.size()), lower_name)) {
      return true;
    }
    lines = end == std::string_view::npos ? std::string_view{} : lines.substr(end + 2);
  }
  return false;
}

}  // namespace

bool Answerer::needsLocalHost(const http::Request& request) const noexcept {
  return connection_site_->redirect_to_https && !secure_ && !http::requestAuthority(request);
}

void Answerer::setTlsServer(std::string_view server_name,
                            std::span<const std::string> names) noexcept {
  connection_site_ = server_name.empty() ? &sites_.defaultSite() : &sites_.forHost(server_name);
  authority_ = names;
}

// RFC 9112 section 3.2.2: an absolute-form target's authority names the origin, the Host field
// being ignored then; requestAuthority() takes it first.
Site& Answerer::siteFor(const http::Request& request) noexcept {
  std::optional<std::string_view> authority = http::requestAuthority(request);
  return authority ? sites_.forHost(*authority) : *connection_site_;
}

void Answerer::answer(const http::Request& request, Response& response,
                      std::string_view local_host) {
  site_ = &siteFor(request);
  request_ = &request;
  cors_done_ = false;
  path_.clear();
  describe(request, response, local_host);
  if (response.deferred) return;
  if (response.body == BodySource::Page && !site_->error_pages.empty()) useErrorPage(response);
  if (!site_->cors.empty() && !cors_done_) addCors(request, response);
  // RFC 6797 section 7.2: only over a secure connection; then on every answer.
  if (secure_ && !site_->hsts_field.empty()) addHsts(response);
  if (request.method == http::Method::Head) response.omitBody();
  site_->count(response.bodyLength());
}

void Answerer::refuse(http::Status status, Response& response) {
  site_ = connection_site_;
  response.setClosingPage(status);
  if (secure_ && !site_->hsts_field.empty()) addHsts(response);
}

void Answerer::describe(const http::Request& request, Response& response,
                        std::string_view local_host) {
  // RFC 9110 section 15.5.20: a connection whose certificate does not cover the host a request
  // names cannot answer for it (SNI chose another site's certificate, or a browser reused the
  // connection for an origin it is not authoritative for); the client retries on a new one.
  if (!authority_.empty()) {
    std::optional<std::string_view> authority = http::requestAuthority(request);
    if (authority && !namesCover(authority_, *authority)) {
      return response.setPage(http::Status::MisdirectedRequest);
    }
  }
  // "OPTIONS *" (the parser admits "*" with OPTIONS only) names no resource, so a plain
  // listener that redirects has no https:// URL to send it to: it gets the answer instead.
  const bool server_wide = request.target == "*";
  if (site_->redirect_to_https && !secure_ && !server_wide) {
    return redirectToHttps(request, response, local_host);
  }
  if (request.method == http::Method::Other) return response.setMethodNotAllowed();
  http::TargetPath target;
  if (!server_wide) {
    target = http::decodeTarget(request.target, path_);
    if (!target.ok) return response.setClosingPage(target.error);
    // On the decoded path, so no escape or dot-segment gets around it, and before any lookup:
    // a hidden file, its directory, index or sidecars are never opened, and the answer is the
    // missing file's (no 301 to add a slash), so whether one exists does not leak.
    if (site_->deny_hidden && http::isHiddenPath(path_)) return describeMissing(response);
  }
  if (request.method == http::Method::Options) return describeOptions(request, response);
  if (!site_->redirects.empty()) {
    if (RuleMatch rule = site_->redirects.match(path_); rule.rule != nullptr) {
      return redirectByRule(rule, request.target, response);
    }
  }
  if (!site_->auth.empty() && !authorized(path_, request, response)) return;
  if (!site_->rewrites.empty()) {
    if (!rewrite(target)) return describeMissing(response);
    // The file a rewrite leads to is guarded like a request for it.
    if (!site_->auth.empty() && !authorized(path_, request, response)) return;
  }
  std::shared_ptr<const fs::CachedFile> cached;
  fs::Resolved resolved = find(path_, target.trailing_slash, cached);
  response.cached = std::move(cached);
  switch (resolved.outcome) {
    case fs::Outcome::File:
      return describeFile(request, resolved, response);
    case fs::Outcome::AddSlash:
      return redirectToDirectory(request.target, response);
    case fs::Outcome::NotFound:
      return describeMissing(response);
    case fs::Outcome::NoIndex:
      if (site_->lists(path_)) return describeListing(request, response);
      return response.setPage(site_->missing_index_status);
    case fs::Outcome::Forbidden:
      return response.setPage(http::Status::Forbidden);
    case fs::Outcome::ServerError:
      return response.setPage(http::Status::InternalServerError);
  }
}

// Basic auth (RFC 7617) for the rule of the longest prefix of `path`, if any: false with the
// answer set (401 with the rule's challenge, 429, 503, or deferred) when the request may not
// go on. OPTIONS never gets here (describeOptions comes first): a CORS preflight carries no
// credentials, and what it is told (the methods) is not the protected content.
bool Answerer::authorized(std::string_view path, const http::Request& request, Response& response) {
  const AuthRule* rule = site_->authFor(path);
  if (rule == nullptr) return true;
  CredentialChecks& checks = sites_.credentialChecks();
  switch (checks.check(*rule->file, request.authorization, client_, may_defer_)) {
    case CredentialChecks::Verdict::Allowed:
      return true;
    case CredentialChecks::Verdict::Denied:
      response.setPage(http::Status::Unauthorized);
      addFields(response, rule->challenge);
      return false;
    case CredentialChecks::Verdict::TooMany:
      response.setPage(http::Status::TooManyRequests);
      addFields(response, "Retry-After: 60\r\n");
      return false;
    case CredentialChecks::Verdict::Busy:
      response.setPage(http::Status::ServiceUnavailable);
      addFields(response, "Retry-After: 1\r\n");
      return false;
    case CredentialChecks::Verdict::Pending:
      response.deferred = true;
      return false;
  }
  return false;
}

// A rewrite replaces the path that is looked up (and that every later rule sees); the client
// is not told. False when it leads to a hidden path (answered as missing, like the path itself).
bool Answerer::rewrite(http::TargetPath& target) {
  const RuleMatch rule = site_->rewrites.match(path_);
  if (rule.rule == nullptr) return true;
  target.trailing_slash = rewrittenPath(rule.rule->to, rule.captured, sidecar_path_);
  path_.swap(sidecar_path_);
  return !(site_->deny_hidden && http::isHiddenPath(path_));
}

// The Location comes from the one builder (http/location.hpp): the rule's target with the
// captured bytes encoded, so it names the host the rule names, or none.
void Answerer::redirectByRule(const RuleMatch& rule, std::string_view target, Response& response) {
  location_.clear();
  http::appendRuleLocation(rule.rule->to, rule.captured, target, location_);
  response.setRedirect(location_, rule.rule->status);
}

// No file at the path: the site's fallback page when it has one (a single-page application's
// index, which routes in the browser), else 404.
void Answerer::describeMissing(Response& response) {
  const config::FallbackConfig& fallback = site_->fallback;
  if (fallback.page.empty()) return response.setPage(http::Status::NotFound);
  if (fallback.extensionless_only) {
    const std::string_view last = std::string_view(path_).substr(path_.rfind('/') + 1);
    if (last.find('.') != std::string_view::npos) return response.setPage(http::Status::NotFound);
  }
  std::shared_ptr<const fs::CachedFile> cached;
  fs::Resolved resolved = find(fallback.page, false, cached);
  if (resolved.outcome != fs::Outcome::File) return response.setPage(http::Status::NotFound);
  response.cached = std::move(cached);
  path_.assign(fallback.page);  // its type, header rules and sidecars are the page's
  describeFile(*request_, resolved, response);
}

// RFC 9110 section 9.3.7: what the server offers for the target. Every path is offered the same
// methods whether or not a file is there, so none is looked up. (A CORS preflight is an OPTIONS
// request too: its answer belongs here.)
void Answerer::describeOptions(const http::Request& request, Response& response) {
  response.setOptions();
  // A CORS preflight (Fetch standard): the configured methods, headers and max-age, for an
  // origin the rule allows; answer() adds nothing more to it.
  if (site_->cors.empty() || request.origin.empty() || request.cors_request_method.empty() ||
      request.target == "*") {
    return;
  }
  const CorsRule* rule = site_->corsFor(path_);
  if (rule == nullptr) return;
  cors_done_ = true;
  cors_fields_.clear();
  rule->appendPreflightFields(request.origin, cors_fields_);
  addFields(response, cors_fields_);
}

// The CORS fields of an answer (not a preflight's): on success and redirects, and on errors
// when the rule says `always`.
void Answerer::addCors(const http::Request& request, Response& response) {
  if (request.target == "*" || path_.empty()) return;
  const CorsRule* rule = site_->corsFor(path_);
  if (rule == nullptr) return;
  if (http::code(response.head.status) >= 400 && !rule->always()) return;
  cors_fields_.clear();
  rule->appendAnswerFields(request.origin, cors_fields_);
  if (!cors_fields_.empty()) addFields(response, cors_fields_);
}

// A file is looked up the same way wherever it is needed (the target, a sidecar, an error
// page): through the open-file cache, exact (fs/open_file_cache.hpp), or DocumentRoot::resolve,
// so it is a regular file under the root reached without escaping symlinks. A hit leaves the
// file in `cached` (and no descriptor in the result).
fs::Resolved Answerer::find(const std::string& path, bool trailing_slash,
                            std::shared_ptr<const fs::CachedFile>& cached) {
  cached.reset();
  if (site_->file_cache) {
    // The cache applies pending changes once per receive: every change completed before the
    // request's bytes were read is seen.
    if (!cache_synced_) {
      site_->file_cache->sync();
      cache_synced_ = true;
    }
    cached = site_->file_cache->lookup(site_->root.fd(), path, trailing_slash, site_->index);
  }
  if (!cached) return site_->root.resolve(path, trailing_slash, site_->index);
  fs::Resolved resolved;
  resolved.outcome = fs::Outcome::File;
  resolved.st = cached->st;
  resolved.is_index = cached->is_index;
  return resolved;
}

// The operator's page for an error status, found like any file; when it cannot be served the
// built-in page stays.
void Answerer::useErrorPage(Response& response) {
  const std::string* page = site_->errorPage(response.head.status);
  if (page == nullptr) return;
  std::shared_ptr<const fs::CachedFile> cached;
  fs::Resolved resolved = find(*page, false, cached);
  if (resolved.outcome != fs::Outcome::File) return;
  response.cached = std::move(cached);
  response.file = std::move(resolved.fd);
  response.setErrorFile(static_cast<std::uint64_t>(resolved.st.st_size), site_->mime.lookup(*page));
}

// The Location is built from the normalised, decoded path (http/location.hpp).
void Answerer::redirectToDirectory(std::string_view target, Response& response) {
  location_.clear();
  http::appendDirectoryLocation(path_, target, location_);
  response.setRedirect(location_);
}

// Every request on a plain listener, whatever its method or path, like nginx's `return 301`
// in a server block; only a target that could not be served over HTTPS either is refused
// first. The host is the client's (it named us), checked to be a plain host name or address
// so that the value cannot point anywhere else; a request naming none (HTTP/1.0 without Host)
// gets the address it reached us on, as nginx does.
void Answerer::redirectToHttps(const http::Request& request, Response& response,
                               std::string_view local_host) {
  http::TargetPath target = http::decodeTarget(request.target, path_);
  if (!target.ok) return response.setClosingPage(target.error);
  std::optional<std::string_view> authority = http::requestAuthority(request);
  if (!authority && !local_host.empty()) authority = local_host;
  location_.clear();
  if (!authority ||
      !http::appendHttpsLocation(*authority, request.target, site_->https_port, location_)) {
    return response.setClosingPage(http::Status::BadRequest);
  }
  response.setRedirect(location_);
}

// A header rule that set the field itself applies to fewer paths than tls.hsts: its value wins,
// and the field is sent once (two would leave the browser to choose).
void Answerer::addHsts(Response& response) {
  if (hasField(response.head.extra_fields, "strict-transport-security")) return;
  addFields(response, site_->hsts_field);
}

// Appends `lines` ("Name: value\r\n" each) to the answer's extra fields, which may view the
// site's storage (one field alone) or this Answerer's buffer already.
void Answerer::addFields(Response& response, std::string_view lines) {
  std::string_view fields = response.head.extra_fields;
  if (fields.empty() && lines.data() != extra_fields_.data()) {
    response.head.extra_fields = lines;
    return;
  }
  if (fields.data() != extra_fields_.data()) extra_fields_.assign(fields);  // else it is ours
  extra_fields_.append(lines);
  response.head.extra_fields = extra_fields_;
}

void Answerer::releaseIdleBuffers() noexcept {
  std::string().swap(path_);
  std::string().swap(location_);
  std::string().swap(sidecar_path_);
  std::string().swap(extra_fields_);
}

}  // namespace learnhttpd::serve
