// SPDX-License-Identifier: MIT
#include "master/preflight.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "base/unique_fd.hpp"
#include "log/journal_sink.hpp"
#include "log/log_file.hpp"
#include "sys/process.hpp"
#include "tls/server_context.hpp"

namespace learnhttpd::master {
namespace {

using Problems = std::vector<std::string>;

std::string errnoText(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

bool groupExists(gid_t gid) {
  group entry{};
  group* found = nullptr;
  std::vector<char> buf(16384);
  return ::getgrgid_r(gid, &entry, buf.data(), buf.size(), &found) == 0 && found != nullptr;
}

void checkUser(const config::Config& config, Problems& problems) {
  if (config.user.empty()) return;
  uid_t uid = 0;
  gid_t gid = 0;
  if (!sys::lookupUser(config.user, uid, gid)) {
    problems.push_back("user '" + config.user + "' does not exist");
  } else if (!groupExists(gid)) {
    problems.push_back("user '" + config.user + "': its group " + std::to_string(gid) +
                       " does not exist");
  }
}

// What a worker needs of the root: to reach it and to look names up in it.
std::string rootProblem(const std::string& path) {
  base::UniqueFd dir(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return errnoText("document_root " + path);
  if (::access(path.c_str(), X_OK) != 0) return errnoText("document_root " + path);
  return {};
}

// The worker's view: a child switches to `user` (as a worker does) and looks at the root.
std::string rootProblemAsUser(const std::string& path, const std::string& user) {
  if (user.empty() || ::geteuid() != 0) return rootProblem(path);
  std::array<int, 2> pipe_fds{};
  if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) return errnoText("pipe");
  base::UniqueFd read_end(pipe_fds[0]);
  base::UniqueFd write_end(pipe_fds[1]);
  pid_t child = ::fork();
  if (child < 0) return errnoText("fork");
  if (child == 0) {
    read_end.reset();
    std::string error;
    std::string problem = sys::dropPrivileges(user, error) ? rootProblem(path) : error;
    // Only a permission problem is the user's; a missing root is missing for everyone.
    if (problem.ends_with(std::strerror(EACCES))) problem += " (as user " + user + ")";
    ssize_t ignored = ::write(write_end.get(), problem.data(), problem.size());
    (void)ignored;
    ::_exit(0);
  }
  write_end.reset();
  std::string problem;
  std::array<char, 512> buf{};
  ssize_t n = 0;
  while ((n = ::read(read_end.get(), buf.data(), buf.size())) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) problem.append(buf.data(), static_cast<std::size_t>(n));
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "document_root check failed";
  return problem;
}

// The rules of log/log_file.hpp, without creating or changing anything: the directory exists,
// and nothing another user planted sits where the file goes.
void checkLogFile(const std::string& key, const std::string& path, Problems& problems) {
  if (!log::isFilePath(path)) return;
  std::string error;
  if (!log::checkLogFile(path, error)) problems.push_back(key + " " + error);
}

tls::LoadResult checkTls(const config::Config& config) {
  std::vector<tls::CertificateFiles> pairs = tlsCertificates(config);
  if (pairs.empty()) return {};
  tls::TicketKeys keys;  // unused by a check, but a context wants some
  tls::LoadOptions options;
  options.now = std::time(nullptr);
  return tls::ServerContext::load(pairs, keys, options);
}

}  // namespace

std::vector<tls::CertificateFiles> tlsCertificates(const config::Config& config) {
  std::vector<tls::CertificateFiles> pairs;
  if (!config::hasTlsListener(config)) return pairs;
  pairs.push_back({"tls", config.tls.certificate, config.tls.key});
  for (std::size_t i = 0; i < config.tls.certificates.size(); ++i) {
    const config::TlsPairConfig& pair = config.tls.certificates[i];
    pairs.push_back({"tls.certificates[" + std::to_string(i) + "]", pair.certificate, pair.key});
  }
  return pairs;
}

std::vector<std::string> preflight(const config::Config& config) {
  Problems problems;
  if (std::string model = config::tlsModelProblem(config); !model.empty()) {
    problems.push_back(std::move(model));
  } else {
    for (std::string& error : checkTls(config).errors) problems.push_back(std::move(error));
  }
  checkUser(config, problems);
  if (problems.empty()) {
    std::string root = rootProblemAsUser(config.document_root, config.user);
    if (!root.empty()) problems.push_back(std::move(root));
  }
  checkLogFile("error_log", config.log.error_log, problems);
  checkLogFile("access_log", config.log.access_log, problems);
  return problems;
}

std::vector<std::string> preflightWarnings(const config::Config& config) {
  if (!config::tlsModelProblem(config).empty()) return {};
  return checkTls(config).warnings;
}

bool passesPreflight(const config::Config& config) {
  const std::vector<std::string> problems = preflight(config);
  for (const std::string& problem : problems) {
    (void)std::fprintf(stderr, "%slearnhttpd: %s: %s\n", log::stderrErrorPrefix(),
                       config.source.c_str(), problem.c_str());
  }
  return problems.empty();
}

}  // namespace learnhttpd::master
