// SPDX-License-Identifier: MIT
#include "master/preflight.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string_view>

#include "base/unique_fd.hpp"
#include "fs/document_root.hpp"
#include "log/journal_sink.hpp"
#include "log/log_file.hpp"
#include "master/listeners.hpp"
#include "serve/site_files.hpp"
#include "sys/process.hpp"
#include "tls/server_context.hpp"

namespace learnhttpd::master {
namespace {

std::string errnoText(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

bool groupExists(gid_t gid) {
  group entry{};
  group* found = nullptr;
  std::vector<char> buf(16384);
  return ::getgrgid_r(gid, &entry, buf.data(), buf.size(), &found) == 0 && found != nullptr;
}

bool userUsable(const config::Config& config, Preflight& out) {
  if (config.user.empty()) return true;
  uid_t uid = 0;
  gid_t gid = 0;
  if (!sys::lookupUser(config.user, uid, gid)) {
    out.errors.push_back("user '" + config.user + "' does not exist");
    return false;
  }
  if (!groupExists(gid)) {
    out.errors.push_back("user '" + config.user + "': its group " + std::to_string(gid) +
                         " does not exist");
    return false;
  }
  return true;
}

void checkTls(const config::Config& config, Preflight& out) {
  if (std::string model = config::tlsModelProblem(config); !model.empty()) {
    out.errors.push_back(std::move(model));
    return;
  }
  TlsSetup setup = tlsSetup(config);
  if (setup.pairs.empty()) return;
  tls::TicketKeys keys;  // unused by a check, but a context wants some
  tls::LoadOptions options;
  options.now = std::time(nullptr);
  options.http2 = config::http2OverTls(config);
  tls::LoadResult loaded = tls::ServerContext::load(setup.pairs, setup.sites, keys, options);
  for (std::string& error : loaded.errors) out.errors.push_back(std::move(error));
  for (std::string& warning : loaded.warnings) out.warnings.push_back(std::move(warning));
}

// (key, path) of log files.
using LogFiles = std::vector<std::pair<std::string_view, const std::string*>>;

// The log files a start opens: the access log is never opened in quiet mode.
LogFiles logFiles(const config::Config& c) {
  LogFiles files;
  if (log::isFilePath(c.log.error_log)) files.emplace_back("error_log", &c.log.error_log);
  if (!c.log.quiet && log::isFilePath(c.log.access_log)) {
    files.emplace_back("access_log", &c.log.access_log);
  }
  return files;
}

// The master's half of the log rules: what prepareLogFile() will accept at start and reload.
// Returns the files that pass, for the workers' half.
LogFiles checkLogFiles(const config::Config& config, uid_t workers, Preflight& out) {
  LogFiles passed;
  for (const auto& file : logFiles(config)) {
    std::string error;
    if (log::checkLogFile(*file.second, workers, error)) {
      passed.push_back(file);
    } else {
      out.errors.push_back(std::string(file.first) + " " + error);
    }
  }
  return passed;
}

// A daemon's stdout and stderr are /dev/null, unless they are systemd's journal (kept then).
void checkDaemonLogs(const config::Config& config, Preflight& out) {
  auto lost = [](const std::string& target) {
    return (target == "stderr" && !log::isJournalStream(STDERR_FILENO)) ||
           (target == "stdout" && !log::isJournalStream(STDOUT_FILENO));
  };
  if (lost(config.log.error_log)) {
    out.errors.push_back("log.error_log: " + config.log.error_log + " with -d: a daemon's " +
                         config.log.error_log +
                         " is /dev/null and every error would be lost; set log.error_log to a "
                         "file (e.g. /var/log/learnhttpd/error.log) or run in the foreground");
  }
  if (!config.log.quiet && lost(config.log.access_log)) {
    out.errors.push_back("log.access_log: " + config.log.access_log + " with -d: a daemon's " +
                         config.log.access_log +
                         " is /dev/null; set log.access_log to a file, \"off\", or use -q");
  }
}

// Only the directory can be known in advance: whether another process holds the file is
// decided when it is written (a running server holds it while -t runs).
std::string pidFileProblem(const std::string& path) {
  if (path.empty()) return {};
  std::size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return errnoText("pid file " + path + ": " + dir);
  return {};
}

// "document_root /srv/a", or with several sites "sites[1] (b.example) document_root /srv/b".
std::string rootName(const config::SiteConfig& site, std::size_t sites) {
  std::string name = "document_root " + site.document_root;
  if (sites > 1) name = site.key + " (" + config::siteLabel(site) + ") " + name;
  return name;
}

// What needs the workers' own eyes: run in a process that is the workers' user.
Preflight asWorkers(const config::Config& config, const serve::SiteFiles& files,
                    const LogFiles& logs, const std::string& user) {
  Preflight out;
  const std::string as = user.empty() ? std::string() : " (as user " + user + ")";
  const std::vector<config::SiteConfig> sites = config::effectiveSites(config);
  for (std::size_t i = 0; i < sites.size(); ++i) {
    const fs::DocumentRoot& root = files.roots[i];
    base::UniqueFd inside(::openat(root.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!inside) {
      out.errors.push_back(errnoText(rootName(sites[i], sites.size()) + ": cannot search it") + as);
      continue;
    }
    for (const auto& [status, page] : sites[i].error_pages) {
      fs::Resolved resolved = root.resolve(page, false, sites[i].index);
      if (resolved.outcome != fs::Outcome::File) {
        std::string line = sites.size() > 1 ? sites[i].key + ".error_pages " : "error_pages ";
        line.append(std::to_string(status)).append(": ").append(page);
        line.append(" is not a file the workers can serve under document_root");
        line.append(as).append("; the built-in page is used");
        out.warnings.push_back(std::move(line));
      }
    }
  }
  for (const auto& [key, path] : logs) {
    std::string error;
    if (!log::workersCanOpenLogFile(*path, error)) {
      std::string line(key);
      line.append(" ").append(error).append(as).append(": the workers reopen it after logrotate");
      out.errors.push_back(std::move(line));
    }
  }
  return out;
}

// One line per problem, "E text" or "W text", over a pipe from the child.
void sendLines(int fd, const Preflight& found) {
  std::string text;
  auto add = [&text](char kind, const std::string& line) {
    text.push_back(kind);
    text.push_back(' ');
    for (char c : line) text.push_back(c == '\n' ? ' ' : c);
    text.push_back('\n');
  };
  for (const std::string& e : found.errors) add('E', e);
  for (const std::string& w : found.warnings) add('W', w);
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0 && errno != EINTR) return;
    if (n > 0) done += static_cast<std::size_t>(n);
  }
}

void receiveLines(int fd, Preflight& out) {
  std::string text;
  std::array<char, 4096> buf{};
  ssize_t n = 0;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) text.append(buf.data(), static_cast<std::size_t>(n));
  }
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end - start > 2) {
      std::string line = text.substr(start + 2, end - start - 2);
      (text[start] == 'E' ? out.errors : out.warnings).push_back(std::move(line));
    }
    start = end + 1;
  }
}

// The workers' view, from a child that switches to `user` (as a worker does) and inherits the
// root's descriptor (as a worker does); in this process when no switch would happen.
void checkAsWorkers(const config::Config& config, const serve::SiteFiles& files,
                    const LogFiles& logs, Preflight& out) {
  if (config.user.empty() || ::geteuid() != 0) {
    Preflight found = asWorkers(config, files, logs, "");
    out.errors.insert(out.errors.end(), found.errors.begin(), found.errors.end());
    out.warnings.insert(out.warnings.end(), found.warnings.begin(), found.warnings.end());
    return;
  }
  std::array<int, 2> pipe_fds{};
  if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) return out.errors.push_back(errnoText("pipe"));
  base::UniqueFd read_end(pipe_fds[0]);
  base::UniqueFd write_end(pipe_fds[1]);
  pid_t child = ::fork();
  if (child < 0) return out.errors.push_back(errnoText("fork"));
  if (child == 0) {
    read_end.reset();
    std::string error;
    Preflight found;
    if (sys::dropPrivileges(config.user, error)) {
      found = asWorkers(config, files, logs, config.user);
    } else {
      found.errors.push_back(error);
    }
    sendLines(write_end.get(), found);
    ::_exit(0);
  }
  write_end.reset();
  receiveLines(read_end.get(), out);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    out.errors.push_back("the check as user " + config.user + " failed");
  }
}

// Basic auth sends the password in every request, readable by anyone on the path unless the
// connection is TLS: a plain listener that serves a protected site (rather than redirecting it
// to HTTPS) is worth a warning.
void authOverPlainHttp(const config::Config& config, Preflight& out) {
  const bool plain = std::any_of(config.listen.begin(), config.listen.end(),
                                 [](const config::ListenAddress& a) { return !a.tls; });
  if (!plain) return;
  for (const config::SiteConfig& site : config::effectiveSites(config)) {
    if (site.auth.empty() || site.redirect_to_https.enabled) continue;
    std::string line = config.sites.empty() ? std::string("auth") : site.key + ".auth";
    line += ": passwords cross a plain (non-\"ssl\") listener in clear text; serve ";
    line += config.sites.empty() ? std::string("it") : config::siteLabel(site);
    line += " over TLS, or set redirect_to_https";
    out.warnings.push_back(std::move(line));
  }
}

// -t says which site each name selects (and which answers the rest): the map an operator checks
// before a reload, as nginx -T shows its server blocks.
void siteMap(const config::Config& config, Preflight& out) {
  if (config.sites.empty()) return;
  for (const config::SiteConfig& site : config.sites) {
    std::string line = site.key + (site.is_default ? " (default)" : "") + ": ";
    for (std::size_t i = 0; i < site.names.size(); ++i) {
      line.append(i == 0 ? "" : ", ").append(site.names[i]);
    }
    if (site.names.empty()) line.append("no names");
    line.append(" -> ").append(site.document_root);
    line.append(" (").append(site.source).append(":").append(std::to_string(site.line)).append(")");
    out.notes.push_back(std::move(line));
  }
  const config::SiteConfig& fallback = config.sites[config::defaultSiteIndex(config.sites)];
  out.notes.push_back("any other name, or none: " + fallback.key + " (" +
                      config::siteLabel(fallback) + ")");
}

}  // namespace

uid_t workersUid(const config::Config& config) {
  uid_t uid = ::geteuid();
  gid_t gid = 0;
  if (uid == 0 && !config.user.empty() && !sys::lookupUser(config.user, uid, gid)) uid = 0;
  return uid;
}

TlsSetup tlsSetup(const config::Config& config) {
  TlsSetup setup;
  if (!config::hasTlsListener(config)) return setup;
  const std::vector<config::SiteConfig> sites = config::effectiveSites(config);
  const std::size_t default_site = config::defaultSiteIndex(sites);
  const auto pairOf = [&](std::string setting, const std::string& certificate,
                          const std::string& key) {
    for (std::size_t i = 0; i < setup.pairs.size(); ++i) {
      if (setup.pairs[i].certificate == certificate && setup.pairs[i].key == key) return i;
    }
    setup.pairs.push_back({std::move(setting), certificate, key});
    return setup.pairs.size() - 1;
  };
  const auto add = [&](const config::SiteConfig& site) {
    tls::SiteCertificates out;
    out.names = site.names;
    out.is_default = site.is_default;
    const std::string prefix = site.own_certificates ? site.key + ".tls" : "tls";
    out.pairs.push_back(pairOf(prefix, site.tls.certificate, site.tls.key));
    for (std::size_t i = 0; i < site.tls.certificates.size(); ++i) {
      const config::TlsPairConfig& pair = site.tls.certificates[i];
      out.pairs.push_back(
          pairOf(prefix + ".certificates[" + std::to_string(i) + "]", pair.certificate, pair.key));
    }
    return out;
  };
  setup.sites.resize(sites.size());
  setup.sites[default_site] = add(sites[default_site]);
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (i != default_site) setup.sites[i] = add(sites[i]);
  }
  return setup;
}

Preflight preflight(const config::Config& config, const PreflightOptions& options) {
  Preflight out;
  checkTls(config, out);
  const bool user_ok = userUsable(config, out);
  serve::SiteFiles files;
  const bool roots = serve::SiteFiles::open(config, files, out.errors, out.warnings);
  LogFiles logs = checkLogFiles(config, workersUid(config), out);
  if (roots && user_ok) checkAsWorkers(config, files, logs, out);
  siteMap(config, out);
  authOverPlainHttp(config, out);
  if (options.daemon) checkDaemonLogs(config, out);
  if (std::string pid = pidFileProblem(config.pid_file); !pid.empty()) {
    (options.daemon ? out.errors : out.warnings).push_back(pid + "; -s will not find the server");
  }
  if (options.try_listeners) {
    for (const config::ListenAddress& address : config.listen) {
      std::string problem = Listeners::tryBind(address);
      if (problem.empty()) continue;
      bool in_use = problem.ends_with(std::strerror(EADDRINUSE));
      (in_use ? out.warnings : out.errors)
          .push_back(in_use ? problem + " (the running server's, or another program's)" : problem);
    }
  }
  if (auto warning = config::modelWarning(config.worker_model); !warning.empty()) {
    out.warnings.emplace_back(warning);
  }
  if (std::string note = config::http2ModelNote(config); !note.empty()) {
    out.warnings.push_back(std::move(note));
  }
  // threads-accept's threads each own an accept loop and run from start to stop.
  const config::ModelTraits& model = config::traitsOf(config.worker_model);
  if (config.min_threads != 0 && model.pool == config::PoolRange::FixedMax) {
    out.warnings.push_back("threads " + std::to_string(config.min_threads) + ".." +
                           std::to_string(config.threads) + ": " + std::string(model.name) +
                           " does not grow or shrink; it runs " + std::to_string(config.threads) +
                           " thread(s)");
  }
  return out;
}

std::optional<Preflight> passesPreflight(const config::Config& config,
                                         const PreflightOptions& options, bool starting) {
  Preflight checked = preflight(config, options);
  const char* prefix = starting ? log::stderrCriticalPrefix() : log::stderrErrorPrefix();
  for (const std::string& problem : checked.errors) {
    (void)std::fprintf(stderr, "%slearnhttpd: %s: %s\n", prefix, config.source.c_str(),
                       problem.c_str());
  }
  if (!checked.errors.empty()) return std::nullopt;
  return checked;
}

}  // namespace learnhttpd::master
