// SPDX-License-Identifier: MIT
#pragma once
// The typed, validated configuration. Every default lives here, in one place. Only config/
// knows about YAML; everything else sees this struct.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/worker_model.hpp"

namespace learnhttpd::config {

using Duration = std::chrono::milliseconds;

struct ListenAddress {
  std::string host = "0.0.0.0";  // IPv4 dotted quad or IPv6 literal without brackets
  std::uint16_t port = 8080;     // 0 = any free port (tests)
  bool tls = false;              // "HOST:PORT ssl": connections speak TLS (Config::tls)
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

// The same socket address, whatever is spoken on it.
inline bool sameSocket(const ListenAddress& a, const ListenAddress& b) noexcept {
  return a.host == b.host && a.port == b.port;
}

struct LogConfig {
  std::string level = "info";         // trace|debug|info|warn|error|critical|off
  std::string error_log = "stderr";   // "stderr", "stdout" or a file path
  std::string access_log = "stdout";  // "stdout", "stderr", "off" or a file path
  bool quiet = false;                 // no per-request logging at all
  friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

// Per worker; never stale (kept exact by inotify, see fs/open_file_cache.hpp).
struct OpenFileCacheConfig {
  unsigned entries = 10000;                       // 0 = off
  std::size_t max_bytes = std::size_t{64} << 20;  // cached bodies plus per-entry overhead
  friend bool operator==(const OpenFileCacheConfig&, const OpenFileCacheConfig&) = default;
};

// The status listener (GET /status, /metrics), served by the master. Off unless `listen` is
// set; a non-loopback address is refused by the loader unless `allow_remote` is true.
struct StatusConfig {
  std::optional<ListenAddress> listen;  // nullopt: off
  bool allow_remote = false;
  friend bool operator==(const StatusConfig&, const StatusConfig&) = default;
};

// True for 127.0.0.0/8 and ::1 (and ::ffff:127.x.y.z): reachable only from this host.
bool isLoopback(const ListenAddress& address) noexcept;

// Response fields for the files a path prefix ("/assets/") or an extension ("*.html") names.
struct HeaderRuleConfig {
  std::string match;
  std::vector<std::pair<std::string, std::string>> set;  // field name, value (validated)
  friend bool operator==(const HeaderRuleConfig&, const HeaderRuleConfig&) = default;
};

// On-the-fly gzip (nginx's gzip, gzip_comp_level, gzip_min_length, gzip_types): files of these
// types whose size is within [min_length, max_length] are compressed per request for clients
// that accept gzip and are not served a pre-compressed sidecar. Off by default.
struct GzipConfig {
  bool enabled = false;
  // zlib level 1-9. 1 like nginx: the same bytes are compressed again on every request, and
  // level 1 costs a fraction of 6's CPU for output only a little larger; ship sidecars
  // (`precompressed`) compressed at 9 for the files where size matters more.
  unsigned level = 1;
  std::uint64_t min_length = 256;       // smaller bodies gain less than gzip's framing costs
  std::uint64_t max_length = 1U << 20;  // the most bytes compressed for one request
  // Media types compared without parameters, lower case; "*" is every type.
  std::vector<std::string> types{"text/html",        "text/css",        "text/plain",
                                 "text/xml",         "text/javascript", "application/javascript",
                                 "application/json", "application/xml", "application/manifest+json",
                                 "image/svg+xml"};
  friend bool operator==(const GzipConfig&, const GzipConfig&) = default;
};

// One more certificate chain and its key (`tls.certificates`), served to the clients whose SNI
// name is one of the certificate's subjectAltName DNS names.
struct TlsPairConfig {
  std::string certificate;  // PEM: the leaf first, then the intermediates (a "fullchain")
  std::string key;          // PEM private key of the leaf
  friend bool operator==(const TlsPairConfig&, const TlsPairConfig&) = default;
};

// The certificates and keys of the TLS listeners, read by the master before privileges drop
// and again on every reload (HUP).
struct TlsConfig {
  // The default pair: served without SNI, or when no pair of `certificates` has the name.
  std::string certificate;  // PEM: the leaf first, then the intermediates (a "fullchain")
  std::string key;          // PEM private key of the leaf
  std::vector<TlsPairConfig> certificates;  // chosen by SNI, in the order of the file
  // Strict-Transport-Security max-age on every answer over TLS (RFC 6797); 0: not sent.
  Duration hsts{0};
  friend bool operator==(const TlsConfig&, const TlsConfig&) = default;
};

// redirect_to_https: every request on a plain (non-"ssl") listener is answered with a 301 to
// https://HOST[:PORT]/TARGET, HOST from the request. Needs an "ssl" listener (the loader
// checks). Off by default.
struct HttpsRedirectConfig {
  bool enabled = false;
  // The port named in Location (443 is left out): 0 ("redirect_to_https: true") means the
  // port the "ssl" listeners are bound to, which the loader makes sure is only one.
  std::uint16_t port = 0;
  friend bool operator==(const HttpsRedirectConfig&, const HttpsRedirectConfig&) = default;
};

// HTTP/2 (RFC 9113): chosen by ALPN ("h2", preferred to "http/1.1") on "ssl" listeners, and on
// plain listeners by prior knowledge (a connection whose first bytes are the client preface;
// no Upgrade: h2c, which RFC 9113 removed). Only the models whose traits say so serve it
// (config::ModelTraits::http2).
struct Http2Config {
  bool tls = true;                        // nginx: http2 on;
  bool plain = false;                     // nginx: http2 on; with a listen that is not ssl
  unsigned max_concurrent_streams = 100;  // SETTINGS_MAX_CONCURRENT_STREAMS per connection
  friend bool operator==(const Http2Config&, const Http2Config&) = default;
};

// One rule of `redirects` or `rewrites`: a request whose decoded path matches `from` goes to
// `to`. `from` is a path, matched exactly, or holds one '*' that stands for any run of bytes
// ("/blog/*" a prefix, "*.php" a suffix, "/a/*/edit" both); a '*' in `to` is what it matched.
// No regular expressions: matching is a prefix and a suffix compare, linear in the path.
struct PathRuleConfig {
  std::string from;
  std::string to;    // redirects: a path or an http(s) URL; rewrites: a path of the same site
  int status = 301;  // redirects: 301, 302, 307 or 308
  friend bool operator==(const PathRuleConfig&, const PathRuleConfig&) = default;
};

// `fallback`: a GET or HEAD of a path with no file is answered 200 with this page (single-page
// applications route in the browser); `extensionless_only`: only for paths whose last segment
// has no '.', so a missing /app.js stays a 404.
struct FallbackConfig {
  std::string page;  // empty: off
  bool extensionless_only = false;
  friend bool operator==(const FallbackConfig&, const FallbackConfig&) = default;
};

// `listing`: a directory without an index under one of `paths` (prefixes of the decoded path;
// "/" for the whole site) is answered with a list of its entries, in HTML or JSON. Off
// (no paths) by default.
struct ListingConfig {
  std::vector<std::string> paths;
  unsigned max_entries = 1000;  // entries shown at most; a line says when there were more
  friend bool operator==(const ListingConfig&, const ListingConfig&) = default;
};

// One rule of `auth`: the paths under `path` (a prefix of the decoded path) need a user and
// password of `htpasswd` (Basic, RFC 7617); the longest matching prefix decides.
struct AuthRuleConfig {
  std::string path = "/";
  std::string realm;     // shown by the browser's prompt: visible ASCII and spaces, no '"' or '\\'
  std::string htpasswd;  // the password file, read by the master at start and on reload
  friend bool operator==(const AuthRuleConfig&, const AuthRuleConfig&) = default;
};

// One rule of `cors`: cross-origin requests (Fetch's CORS protocol) to the paths under `path`
// (a prefix of the decoded path; the longest matching one decides) from `origins`.
struct CorsRuleConfig {
  std::string path = "/";
  std::vector<std::string> origins;  // serialized origins, lower case ("https://app.example")
  bool any_origin = false;           // origins: "*"
  std::vector<std::string> methods{"GET", "HEAD"};  // Access-Control-Allow-Methods
  std::vector<std::string> headers;                 // Access-Control-Allow-Headers
  Duration max_age{0};                              // Access-Control-Max-Age; 0: not sent
  bool credentials = false;  // Access-Control-Allow-Credentials: true (never with "*")
  bool always = false;       // the fields on error answers (4xx, 5xx) too
  friend bool operator==(const CorsRuleConfig&, const CorsRuleConfig&) = default;
};

// Everything that may differ from one site to the next: the top-level keys of these names are
// the defaults of every site (and, with no `sites:`, the one site). A base of both Config and
// SiteConfig, so that a site is its defaults overridden key by key and no field is listed twice.
struct SiteSettings {
  std::string document_root = "/var/www/learnhttpd";
  std::string index = "index.html";
  int missing_index_status = 404;                               // 404 or 403
  std::vector<std::pair<std::string, std::string>> mime_types;  // extension -> type
  // "; charset=<this>" on the textual types (http/mime_table.hpp) whose mime_types entry names
  // none; empty ("charset: off"): types are sent as they are. A token (RFC 9110 section 5.6.2).
  std::string charset = "utf-8";
  // Serve FILE.br / FILE.zst / FILE.gz beside FILE to clients that accept the coding.
  bool precompressed = true;
  GzipConfig gzip;
  std::vector<HeaderRuleConfig> headers;                 // in the order of the file
  std::vector<std::pair<int, std::string>> error_pages;  // status 400-599 -> page path
  // hidden_files: deny answers a request whose path has a component starting with '.' (except
  // /.well-known/) like a missing file; the loader refuses an index or error page that is one.
  bool deny_hidden_files = true;
  TlsConfig tls;
  HttpsRedirectConfig redirect_to_https;
  std::vector<PathRuleConfig> redirects;  // in the order of the file; the first match wins
  std::vector<PathRuleConfig> rewrites;   // likewise, after the redirects
  FallbackConfig fallback;
  ListingConfig listing;
  std::vector<AuthRuleConfig> auth;
  std::vector<CorsRuleConfig> cors;

  friend bool operator==(const SiteSettings&, const SiteSettings&) = default;
};

// One entry of `sites:` (nginx's server block): the names it answers to and its settings, the
// top-level values for every key it does not set.
struct SiteConfig : SiteSettings {
  // Lower case, without port or final dot; "*.example.org" stands for exactly one label
  // ("a.example.org", not "example.org" nor "a.b.example.org"). Empty only for the default.
  std::vector<std::string> names;
  // Answers the requests whose Host no site names (or that name none), like nginx's
  // default_server: the site with `default: true`, else the first. Exactly one after loading.
  bool is_default = false;
  // Its own `document_root` (else the top-level one, which -r replaces), its own certificate
  // (`tls.certificate` set in the site; else the top-level pairs).
  bool own_document_root = false;
  bool own_certificates = false;
  // Where it was written, for messages: its file, the line of its entry, and its key
  // ("sites[2]", counted across every file).
  std::string source;
  int line = 0;
  std::string key;

  friend bool operator==(const SiteConfig&, const SiteConfig&) = default;
};

struct Config : SiteSettings {
  std::vector<ListenAddress> listen{ListenAddress{}};
  unsigned workers = 0;  // 0 = auto (number of CPUs)
  WorkerModel worker_model = WorkerModel::Event;
  unsigned threads = 8;      // pool threads per worker; the maximum with "threads: MIN..MAX"
  unsigned min_threads = 0;  // MIN of "threads: MIN..MAX" (grow/shrink); 0: a fixed pool
  Duration thread_idle_timeout{3'000};  // a growing pool's thread idle this long exits (> MIN)
  unsigned max_connections = 10000;     // per worker
  Duration keepalive_timeout{75'000};   // 0 = no keep-alive
  unsigned keepalive_requests = 1000;   // per connection; 0 = no keep-alive
  Duration header_timeout{10'000};
  Duration send_timeout{60'000};
  std::size_t max_header_bytes = 16384;
  Duration shutdown_timeout{30'000};
  Duration worker_timeout{30'000};
  std::string user = "www-data";                 // empty: never drop privileges
  std::string pid_file = "/run/learnhttpd.pid";  // empty: none
  LogConfig log;
  OpenFileCacheConfig open_file_cache;
  StatusConfig status;
  Http2Config http2;
  // `sites:`, in the order of the files (each included file where its `include:` stands);
  // empty: one site, the top-level settings (effectiveSites()).
  std::vector<SiteConfig> sites;

  std::string source = "<built-in defaults>";  // the file it was read from, for messages

  // Member-wise, `source` included (a reload can tell whether anything changed by comparing
  // after copying the old source over).
  friend bool operator==(const Config&, const Config&) = default;
};

// The sites the server answers for, in the order of the configuration: `config.sites`, or,
// when there are none, one default site of the top-level settings.
std::vector<SiteConfig> effectiveSites(const Config& config);
// The index of the default site in effectiveSites(config).
std::size_t defaultSiteIndex(const std::vector<SiteConfig>& sites) noexcept;
// "a.example (default)", "the default site": how messages name a site.
std::string siteLabel(const SiteConfig& site);
// The most sites one configuration may have: far above what one server is given, and a bound on
// what a glob of site files can make every worker build.
inline constexpr std::size_t kMaxSites = 10000;

// True when some listen address speaks TLS.
bool hasTlsListener(const Config& config) noexcept;
// Why redirect_to_https cannot work with `config`'s listen addresses (none speaks TLS, or
// they use several ports and redirect_to_https names none), or empty. The loader reports it
// at the key's line; the CLI overlay (-b, -p) may change the addresses afterwards. Checks the
// top-level setting and every site's.
std::string httpsRedirectProblem(const Config& config);
// The same for one site's (or the top-level) setting over `listen`.
std::string httpsRedirectProblem(const HttpsRedirectConfig& redirect,
                                 const std::vector<ListenAddress>& listen);
// Why `config` cannot serve its TLS listeners with its worker model (only event and
// threadpool speak TLS), or empty.
std::string tlsModelProblem(const Config& config);

// Whether the worker model serves HTTP/2: on "ssl" listeners (ALPN h2 offered), on plain ones
// (prior knowledge). http2.tls/http2.plain, and the model's trait.
bool http2OverTls(const Config& config) noexcept;
bool http2Plain(const Config& config) noexcept;
// What -t and a start say when http2.plain asks for HTTP/2 of a model that speaks HTTP/1.1
// only, or empty.
std::string http2ModelNote(const Config& config);

// The number of workers to start: `workers`, or the CPU count when it is 0 (auto).
unsigned effectiveWorkers(const Config& config);

}  // namespace learnhttpd::config
