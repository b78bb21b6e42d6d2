// SPDX-License-Identifier: MIT
// The configuration's keys: one table per section, each key with its reader, and the checks
// that look at several keys once every file is read. The settings that go into the answers'
// heads are in http_settings.cpp.
#include "config/settings.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "config/value_parsers.hpp"

namespace learnhttpd::config {
namespace {

std::size_t readHeaderBytes(const Setting& s) {
  constexpr std::string_view kExpected = "expected a size from 1k to 1m, like 16384 or 16k";
  constexpr std::size_t kMin = 1024;
  constexpr std::size_t kMax = std::size_t{1024} * 1024;
  std::size_t value = 0;
  try {
    value = parseSize(s.scalar(kExpected));
  } catch (const std::invalid_argument&) {
    s.reject(kExpected);
  }
  if (value < kMin || value > kMax) {
    s.reject(kExpected);
  }
  return value;
}

unsigned readWorkers(const Setting& s) {
  constexpr std::string_view kExpected = "expected a number of workers 1-1024 or auto";
  if (s.scalar(kExpected) == "auto") {
    return 0;
  }
  return readUnsigned(s, 1, 1024, kExpected);
}

WorkerModel readWorkerModel(const Setting& s) {
  const std::string expected = "expected one of " + modelNames();
  const auto model = modelNamed(s.scalar(expected));
  if (!model) {
    s.reject(expected);
  }
  return *model;
}

// "N" (a fixed pool) or "MIN..MAX" (a pool that grows and shrinks).
void readThreads(const Setting& s, Config& c) {
  constexpr std::string_view kExpected =
      "expected a number of threads 1-1024, or a range MIN..MAX like 4..64";
  const auto range = parseThreads(s.scalar(kExpected));
  if (!range) {
    s.reject(kExpected);
  }
  c.min_threads = range->first;
  c.threads = range->second;
}

std::string readLogLevel(const Setting& s) {
  constexpr std::string_view kExpected =
      "expected one of trace, debug, info, warn, error, critical, off";
  constexpr std::array<std::string_view, 7> kLevels = {"trace", "debug",    "info", "warn",
                                                       "error", "critical", "off"};
  const std::string_view text = s.scalar(kExpected);
  if (std::find(kLevels.begin(), kLevels.end(), text) == kLevels.end()) {
    s.reject(kExpected);
  }
  return std::string(text);
}

ListenAddress readListenItem(const Setting& s, const YAML::Node& item) {
  constexpr std::string_view kExpected =
      "expected an address like 0.0.0.0:8080, [::1]:8080 or 8080, optionally followed by "
      "\" ssl\"";
  if (!item.IsScalar()) {
    s.rejectItem(item, kExpected);
  }
  std::string_view text = item.Scalar();
  bool tls = false;
  if (std::size_t space = text.find(' '); space != std::string_view::npos) {
    std::string_view flag = text.substr(space + 1);
    flag.remove_prefix(std::min(flag.find_first_not_of(' '), flag.size()));
    if (flag != "ssl") {
      s.rejectItem(item, kExpected);
    }
    tls = true;
    text = text.substr(0, space);
  }
  try {
    ListenAddress address = parseListenAddress(text);
    address.tls = tls;
    return address;
  } catch (const std::invalid_argument&) {
    s.rejectItem(item, kExpected);
  }
}

std::vector<ListenAddress> readListen(const Setting& s) {
  std::vector<YAML::Node> items;
  if (s.value().IsScalar()) {
    items.push_back(s.value());
  } else if (s.value().IsSequence()) {
    for (const YAML::Node& item : s.value()) {
      items.push_back(item);
    }
  }
  if (items.empty()) {
    s.reject("expected an address or a list of at least one address");
  }
  std::vector<ListenAddress> addresses;
  for (const YAML::Node& item : items) {
    const ListenAddress address = readListenItem(s, item);
    // Compared after normalising, so "8080" and "0.0.0.0:8080" are caught too: binding both
    // would fail at start with a less helpful EADDRINUSE.
    if (std::any_of(addresses.begin(), addresses.end(),
                    [&](const ListenAddress& a) { return sameSocket(a, address); })) {
      s.failAt(item, "address '" + item.Scalar() + "' is listed twice");
    }
    addresses.push_back(address);
  }
  return addresses;
}

std::size_t readCacheBytes(const Setting& s) {
  constexpr std::string_view kExpected = "expected a size from 0 to 64g, like 64m";
  std::size_t value = 0;
  try {
    value = parseSize(s.scalar(kExpected));
  } catch (const std::invalid_argument&) {
    s.reject(kExpected);
  }
  if (value > (std::size_t{64} << 30)) {
    s.reject(kExpected);
  }
  return value;
}

constexpr std::array kLogFields = {
    Field{"level", [](const Setting& s, Config& c) { c.log.level = readLogLevel(s); }},
    Field{"error_log",
          [](const Setting& s, Config& c) {
            c.log.error_log = readString(s, "expected stderr, stdout or a file path", false);
          }},
    Field{"access_log",
          [](const Setting& s, Config& c) {
            c.log.access_log = readString(s, "expected stdout, stderr, off or a file path", false);
          }},
    Field{"quiet", [](const Setting& s, Config& c) { c.log.quiet = readBool(s); }},
};

void readLog(const Setting& s, Config& config) {
  if (!s.value().IsMap()) {
    s.reject("expected a mapping of log settings, like { level: info }");
  }
  readFields(s.source(), s.value(), kLogFields, "log.", config);
}

constexpr std::array kOpenFileCacheFields = {
    Field{"entries",
          [](const Setting& s, Config& c) {
            c.open_file_cache.entries =
                readUnsigned(s, 0, 10'000'000, "expected a number of entries 0-10000000 (0 = off)");
          }},
    Field{"max_bytes",
          [](const Setting& s, Config& c) { c.open_file_cache.max_bytes = readCacheBytes(s); }},
};

void readOpenFileCache(const Setting& s, Config& config) {
  if (!s.value().IsMap()) {
    s.reject("expected a mapping like { entries: 10000, max_bytes: 64m }");
  }
  readFields(s.source(), s.value(), kOpenFileCacheFields, "open_file_cache.", config);
}

constexpr std::array kStatusFields = {
    Field{"listen",
          [](const Setting& s, Config& c) {
            constexpr std::string_view kExpected =
                "expected an address like 127.0.0.1:8081 or [::1]:8081";
            try {
              c.status.listen = parseListenAddress(s.scalar(kExpected));
            } catch (const std::invalid_argument&) {
              s.reject(kExpected);
            }
          }},
    Field{"allow_remote", [](const Setting& s, Config& c) { c.status.allow_remote = readBool(s); }},
};

// The listener answers anyone who can connect, without authentication: an address other hosts
// can reach must be asked for twice, by the address and by allow_remote.
void readStatus(const Setting& s, Config& config) {
  if (!s.value().IsMap()) {
    s.reject("expected a mapping like { listen: \"127.0.0.1:8081\" }");
  }
  readFields(s.source(), s.value(), kStatusFields, "status.", config);
  const StatusConfig& status = config.status;
  if (status.listen && !status.allow_remote && !isLoopback(*status.listen)) {
    const YAML::Node& listen = s.value()["listen"];
    const Setting item(s.source(), "status.listen", listen, listen);
    item.failAt(listen, "'" + listen.Scalar() +
                            "' is not a loopback address; the status listener has no "
                            "authentication, so bind 127.0.0.1 or ::1, or set "
                            "status.allow_remote: true");
  }
}

// The fields of one item of tls.certificates; the item being read is the last one.
constexpr std::array kTlsPairFields = {
    Field{"certificate",
          [](const Setting& s, Config& c) {
            c.tls.certificates.back().certificate =
                readString(s, "expected the path of a PEM certificate chain", false);
          }},
    Field{"key",
          [](const Setting& s, Config& c) {
            c.tls.certificates.back().key =
                readString(s, "expected the path of a PEM private key", false);
          }},
};

void readTlsCertificates(const Setting& s, Config& config) {
  constexpr std::string_view kExpected =
      "expected a list of pairs like - {certificate: /etc/ssl/a/fullchain.pem, key: "
      "/etc/ssl/a/key.pem}";
  if (!s.value().IsSequence()) s.reject(kExpected);
  config.tls.certificates.clear();
  for (const YAML::Node& item : s.value()) {
    const std::string name = s.key() + "[" + std::to_string(config.tls.certificates.size()) + "]";
    const Setting pair(s.source(), name, item, item);
    if (!item.IsMap()) pair.reject("expected a mapping like {certificate: ..., key: ...}");
    config.tls.certificates.emplace_back();
    readFields(s.source(), item, kTlsPairFields, name + ".", config);
    const TlsPairConfig& read = config.tls.certificates.back();
    if (read.certificate.empty() || read.key.empty()) {
      pair.failAt(item, std::string("needs both certificate and key, ") +
                            (read.certificate.empty() ? "certificate" : "key") + " is missing");
    }
  }
}

constexpr std::array kTlsFields = {
    Field{"certificate",
          [](const Setting& s, Config& c) {
            c.tls.certificate =
                readString(s, "expected the path of a PEM certificate chain", false);
          }},
    Field{"key",
          [](const Setting& s, Config& c) {
            c.tls.key = readString(s, "expected the path of a PEM private key", false);
          }},
    Field{"hsts", [](const Setting& s, Config& c) { c.tls.hsts = readDuration(s, true); }},
    Field{"certificates", readTlsCertificates},
};

void readTls(const Setting& s, Config& config) {
  if (!s.value().IsMap()) {
    s.reject(
        "expected a mapping like { certificate: /etc/ssl/fullchain.pem, key: /etc/ssl/key.pem }");
  }
  readFields(s.source(), s.value(), kTlsFields, s.key() + ".", config);
}

// A TLS listener needs both files; the error points at the listen setting.
void checkTlsListeners(const Origins& where, const std::string& main_source, const Config& config) {
  // With sites, each site needs a pair (its own or these): readSites checks them one by one.
  if (!hasTlsListener(config) || !config.sites.empty()) return;
  if (config.tls.certificate.empty() || config.tls.key.empty()) {
    failAtSetting(where, "listen", main_source,
                  "listen: an \"ssl\" address needs tls.certificate and tls.key");
  }
}

constexpr std::array kHttp2Fields = {
    Field{"tls", [](const Setting& s, Config& c) { c.http2.tls = readBool(s); }},
    Field{"plain", [](const Setting& s, Config& c) { c.http2.plain = readBool(s); }},
    Field{"max_concurrent_streams",
          [](const Setting& s, Config& c) {
            c.http2.max_concurrent_streams =
                readUnsigned(s, 1, 1000, "expected a number of streams 1-1000");
          }},
};

void readHttp2(const Setting& s, Config& config) {
  if (!s.value().IsMap()) {
    s.reject("expected a mapping like { tls: true, plain: false }");
  }
  readFields(s.source(), s.value(), kHttp2Fields, "http2.", config);
}

// "true" (the port of the "ssl" listeners), "false", or the port to name in Location.
void readHttpsRedirect(const Setting& s, Config& c) {
  constexpr std::string_view kExpected = "expected true, false or a port 1-65535";
  const std::string_view text = s.scalar(kExpected);
  if (!text.empty() && text.front() >= '0' && text.front() <= '9') {
    c.redirect_to_https.enabled = true;
    c.redirect_to_https.port = static_cast<std::uint16_t>(readNumber(s, 1, 65535, kExpected));
    return;
  }
  const std::optional<bool> enabled = boolNamed(text);
  if (!enabled) {
    s.reject(kExpected);
  }
  c.redirect_to_https.enabled = *enabled;
  c.redirect_to_https.port = 0;
}

// Checked once every key is read: the listen addresses may come after redirect_to_https.
void checkHttpsRedirect(const Origins& where, const std::string& main_source,
                        const Config& config) {
  if (std::string problem = httpsRedirectProblem(config.redirect_to_https, config.listen);
      !problem.empty()) {
    failAtSetting(where, "redirect_to_https", main_source, problem);
  }
}

// `include:` where no file was read (loadConfigString): there is no directory to start from.
// A file's includes are taken by ConfigFiles (config_files.hpp) before any setting is applied.
void rejectInclude(const Setting& s, Config&) {
  s.failAt(s.value(), "only a configuration file read from disk may include others");
}

constexpr std::array kTopFields = {
    Field{"listen", [](const Setting& s, Config& c) { c.listen = readListen(s); }},
    Field{"document_root",
          [](const Setting& s, Config& c) {
            c.document_root = readString(s, "expected a directory path", false);
          }},
    Field{"index", [](const Setting& s,
                      Config& c) { c.index = readString(s, "expected a file name", false); }},
    Field{"missing_index_status",
          [](const Setting& s, Config& c) {
            c.missing_index_status =
                static_cast<int>(readUnsigned(s, 403, 404, "expected 403 or 404"));
          }},
    Field{"workers", [](const Setting& s, Config& c) { c.workers = readWorkers(s); }},
    Field{"worker_model", [](const Setting& s, Config& c) { c.worker_model = readWorkerModel(s); }},
    Field{"threads", readThreads},
    Field{"thread_idle_timeout",
          [](const Setting& s, Config& c) { c.thread_idle_timeout = readDuration(s, false); }},
    Field{"max_connections",
          [](const Setting& s, Config& c) {
            c.max_connections = readUnsigned(s, 1, 1'000'000, "expected a number 1-1000000");
          }},
    Field{"keepalive_timeout",
          [](const Setting& s, Config& c) { c.keepalive_timeout = readDuration(s, true); }},
    Field{"keepalive_requests",
          [](const Setting& s, Config& c) {
            c.keepalive_requests = readUnsigned(s, 0, std::numeric_limits<unsigned>::max(),
                                                "expected a number of requests, 0 or more");
          }},
    Field{"header_timeout",
          [](const Setting& s, Config& c) { c.header_timeout = readDuration(s, false); }},
    Field{"send_timeout",
          [](const Setting& s, Config& c) { c.send_timeout = readDuration(s, false); }},
    Field{"max_header_bytes",
          [](const Setting& s, Config& c) { c.max_header_bytes = readHeaderBytes(s); }},
    Field{"shutdown_timeout",
          [](const Setting& s, Config& c) { c.shutdown_timeout = readDuration(s, false); }},
    Field{"worker_timeout",
          [](const Setting& s, Config& c) { c.worker_timeout = readDuration(s, false); }},
    Field{"user",
          [](const Setting& s, Config& c) {
            c.user = readString(s, "expected a user name, or \"\" to keep the current user", true);
          }},
    Field{"pid_file",
          [](const Setting& s, Config& c) {
            c.pid_file = readString(s, "expected a file path, or \"\" for none", true);
          }},
    Field{"log", readLog},
    Field{"mime_types", [](const Setting& s, Config& c) { c.mime_types = readMimeTypes(s); }},
    Field{"charset", [](const Setting& s, Config& c) { c.charset = readCharset(s); }},
    Field{"open_file_cache", readOpenFileCache},
    Field{"status", readStatus},
    Field{"precompressed", [](const Setting& s, Config& c) { c.precompressed = readBool(s); }},
    Field{"gzip", readGzip},
    Field{"headers", [](const Setting& s, Config& c) { c.headers = readHeaders(s); }},
    Field{"error_pages", [](const Setting& s, Config& c) { c.error_pages = readErrorPages(s); }},
    Field{"hidden_files",
          [](const Setting& s, Config& c) { c.deny_hidden_files = readHiddenFiles(s); }},
    Field{"tls", readTls},
    Field{"redirect_to_https", readHttpsRedirect},
    Field{"http2", readHttp2},
    Field{"sites", readSites},
    Field{"include", rejectInclude},
};

}  // namespace

// The table above and the features' rows (feature_settings.cpp), in one list.
std::span<const Field> topFields() {
  static const std::vector<Field> fields = [] {
    std::vector<Field> all(kTopFields.begin(), kTopFields.end());
    const std::span<const Field> features = featureFields();
    all.insert(all.end() - 2, features.begin(), features.end());  // before sites and include
    return all;
  }();
  return fields;
}

void checkAcrossKeys(const Origins& where, const std::string& main_source, const Config& config) {
  checkTlsListeners(where, main_source, config);
  checkHttpsRedirect(where, main_source, config);
  checkHiddenPaths(where, config, "");
}

std::vector<std::string> allSettingNames() {
  std::vector<std::string> names;
  const auto add = [&](std::string_view prefix, std::span<const Field> fields) {
    for (const Field& field : fields) {
      names.push_back(std::string(prefix) + std::string(field.name));
    }
  };
  add("", topFields());
  for (std::string& name : featureSettingNames()) names.push_back(std::move(name));
  add("log.", kLogFields);
  add("open_file_cache.", kOpenFileCacheFields);
  add("status.", kStatusFields);
  add("gzip.", gzipFields());
  add("tls.", kTlsFields);
  add("http2.", kHttp2Fields);
  for (std::string& name : siteOnlySettingNames()) names.push_back(std::move(name));
  return names;
}

}  // namespace learnhttpd::config
