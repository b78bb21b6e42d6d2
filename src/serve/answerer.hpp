// SPDX-License-Identifier: MIT
#pragma once
// Answerer: what the server answers to a request -- the static-file application, whatever
// protocol carries the request and the answer. Given a parsed request, it picks the site the
// request names (serve::Sites: by the absolute-form authority, else the Host; the default site
// when none matches) and fills a Response (serve/response.hpp): the redirect to HTTPS, the
// method check, target decoding,
// hidden files, OPTIONS, the file (open-file cache or document root) with its sidecar, gzip,
// header rules, conditionals and ranges, the directory slash redirect, error pages, HSTS, and
// HEAD. It opens files and compresses, but knows no sockets, framing, threads or event loop:
// the protocol sessions (protocol/) ask it and write what it says.
//
// One Answerer serves one connection (it keeps that connection's facts and reusable buffers),
// on one thread at a time; the Sites it reads are shared. A Response it fills may view the
// Answerer's buffers (Location, header-rule fields): write its head before the next answer().
//
// The steps, in order (answer()): a recipe for a new kind of answer is in docs/architecture.md.

#include <span>
#include <string>
#include <string_view>

#include "fs/document_root.hpp"
#include "http/accept_encoding.hpp"
#include "http/request.hpp"
#include "http/status.hpp"
#include "http/target.hpp"
#include "serve/response.hpp"
#include "serve/site.hpp"
#include "serve/sites.hpp"

namespace learnhttpd::serve {

class Answerer {
 public:
  explicit Answerer(Sites& sites)
      : sites_(sites), connection_site_(&sites.defaultSite()), site_(connection_site_) {}

  // The connection is TLS (an answer then carries HSTS, and redirect_to_https does not apply).
  void setSecure(bool secure) noexcept { secure_ = secure; }
  // What the TLS handshake established: the SNI name (empty: none), whose site answers the
  // requests that name no host, and the DNS names of the certificate it selected (empty: none
  // covers the name), which every request's host must be covered by, else 421 (RFC 9110
  // section 15.5.20). `names` must outlive the Answerer (the generation's TLS context).
  void setTlsServer(std::string_view server_name, std::span<const std::string> names) noexcept;
  bool secure() const noexcept { return secure_; }
  // Whether the answer to `request` is a redirect to HTTPS that must name this server itself
  // (the request names no host: HTTP/1.0 without Host): then the protocol passes this end's
  // address to answer().
  bool needsLocalHost(const http::Request& request) const noexcept;
  // The client's address (for the bound on wrong passwords per client); empty: unknown.
  void setClient(std::string_view address) { client_.assign(address); }
  // The caller takes a Response::deferred answer (it asks again when the credential checks
  // wake it); otherwise credentials are verified in answer() itself, on the caller's thread.
  void allowDeferral(bool allow) noexcept { may_defer_ = allow; }
  // New bytes of the connection were received: before the next lookup the open-file cache
  // applies the changes made before them (fs/open_file_cache.hpp has the proof).
  void received() noexcept { cache_synced_ = false; }
  // The caller ran the cache's sync() itself after the last receive (one sync for a batch of
  // connections).
  void cacheSynced() noexcept { cache_synced_ = true; }

  // The answer to `request`. The caller has set response.head.version_minor and keep_alive;
  // the Date is the protocol's to add. `local_host`: see needsLocalHost().
  void answer(const http::Request& request, Response& response, std::string_view local_host = {});
  // The answer when the protocol could not read a request (400, 408, 431, 503 ...): the
  // status's page, and the connection closes after it.
  void refuse(http::Status status, Response& response);

  // Frees the reusable buffers while the connection idles.
  void releaseIdleBuffers() noexcept;

 private:
  void describe(const http::Request& request, Response& response, std::string_view local_host);
  void describeFile(const http::Request& request, fs::Resolved& resolved, Response& response);
  void describeOptions(const http::Request& request, Response& response);
  void addCors(const http::Request& request, Response& response);
  void describeMissing(Response& response);
  bool rewrite(http::TargetPath& target);
  void redirectByRule(const RuleMatch& rule, std::string_view target, Response& response);
  void redirectToDirectory(std::string_view target, Response& response);
  void redirectToHttps(const http::Request& request, Response& response,
                       std::string_view local_host);
  void gzipBody(Response& response);
  void addHeaderRules(const fs::Resolved& resolved, Response& response);
  void useErrorPage(Response& response);
  void useSidecar(const http::AcceptedCodings& accepted, const fs::Resolved& original,
                  Response& response);
  void addHsts(Response& response);
  void addFields(Response& response, std::string_view lines);
  void describeListing(const http::Request& request, Response& response);
  bool authorized(std::string_view path, const http::Request& request, Response& response);
  fs::Resolved find(const std::string& path, bool trailing_slash,
                    std::shared_ptr<const fs::CachedFile>& cached);
  static bool notModified(const http::Request& request, const http::ResponseHead& head);
  static void applyRange(const http::Request& request, Response& response);
  static bool rangeApplies(const http::Request& request, const Response& response);

  Site& siteFor(const http::Request& request) noexcept;

  Sites& sites_;
  Site* connection_site_;                   // the site of a request that names no host: the default
  Site* site_;                              // the site of the current request
  const http::Request* request_ = nullptr;  // the current request (during answer())
  std::span<const std::string> authority_;  // a TLS connection's certificate names, or empty
  std::string path_;          // decoded path of the current request (reused buffer)
  std::string location_;      // Location of a redirect (reused buffer)
  std::string sidecar_path_;  // path_ plus a coding's suffix (reused buffer)
  std::string extra_fields_;  // the header rules' fields for the current answer (reused buffer)
  std::string client_;        // the client's address, or empty
  std::string cors_fields_;   // the CORS fields of the current answer (reused buffer)
  bool cors_done_ = false;    // the current answer is a preflight's, CORS fields and all
  bool may_defer_ = false;
  bool secure_ = false;
  bool cache_synced_ = false;  // the file cache has applied every change up to the last receive
};

}  // namespace learnhttpd::serve
