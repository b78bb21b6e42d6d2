// SPDX-License-Identifier: MIT
#pragma once
// What a start, a reload and `learnhttpd -t` check before they act, in one code path, so that
// `-t` says what a start would do: a configuration `-t` accepts starts, and one it refuses does
// not. (`-s reload` runs it too, before it signals.) A start or a reload that passes may still
// fail at the step itself -- a port taken meanwhile, a file removed -- with the same message.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "tls/server_context.hpp"

namespace learnhttpd::master {

struct PreflightOptions {
  // Bind each listen address and let it go (-t): a start binds them for real, and a reload
  // keeps the sockets it has, so only -t needs to try. An address in use is a warning (most
  // often it is the running server's).
  bool try_listeners = false;
  // -d: the process detaches, so its stdout and stderr go to /dev/null (unless they are the
  // journal) and the pid file is how it is found again.
  bool daemon = false;
};

struct Preflight {
  std::vector<std::string> errors;    // one readable line each; any: do not start or reload
  std::vector<std::string> warnings;  // worth a line in the log; the start goes on
  std::vector<std::string> notes;     // what -t shows besides: which site each name maps to
};

// Checks, in this order: TLS listeners have a worker model that serves them, and each of their
// certificate pairs loads, belongs together, has not expired and (if chosen by SNI) has a name;
// `user` and its primary group exist; `document_root` opens as the master opens it (as root,
// before privileges drop), and the workers' user can search it through that descriptor, as a
// worker will; each log file passes the rules of log/log_file.hpp as the master applies them
// and the workers' user can reach it to reopen it; the error pages are files the workers can
// serve (else a warning: the built-in page is used); with -d, neither log goes to the
// terminal (unless it is the journal) and the pid file's directory exists; the listen
// addresses (try_listeners); and the warnings of the model (busy-poll's CPU, a teaching model
// asked for HTTP/2 by http2.plain, a thread range it does not grow). The checks of the
// workers' user run in a child process that switches to it (only as root with a `user`): call
// before any thread or logger thread exists.
Preflight preflight(const config::Config& config, const PreflightOptions& options);

// preflight(), its problems printed on stderr, one line each ("learnhttpd: SOURCE: PROBLEM",
// with journald's priority first when stderr is the journal: critical when it stops a start).
// Nullopt when there were problems, else what passed (the warnings, for the caller to print or
// log; the notes, for -t to print).
std::optional<Preflight> passesPreflight(const config::Config& config,
                                         const PreflightOptions& options, bool starting = false);

// The user the workers run as, and that log files are kept for: `config.user` when this process
// is root and the user exists, else this process's own effective uid.
uid_t workersUid(const config::Config& config);

// What the TLS context of `config` is loaded from: the certificate pairs (the default site's
// first -- its tls.certificate, then its tls.certificates -- then the other sites' own, each
// pair once), and every site with its names and pairs; empty when no listener speaks TLS.
struct TlsSetup {
  std::vector<tls::CertificateFiles> pairs;
  std::vector<tls::SiteCertificates> sites;
};
TlsSetup tlsSetup(const config::Config& config);

}  // namespace learnhttpd::master
