// SPDX-License-Identifier: MIT
#pragma once
// What `learnhttpd -t` (and `-s reload`, before it signals) checks beyond the file's syntax:
// the things a start or a reload would trip over, so that they fail at once, with the reason,
// and not later in a master's log. Listen addresses are not bound here (the running master
// may hold them).

#include <string>
#include <vector>

#include "config/config.hpp"
#include "tls/server_context.hpp"

namespace learnhttpd::master {

// Checks, in this order: TLS listeners have a worker model that serves them, and each of their
// certificate pairs loads, belongs together, has not expired and (if chosen by SNI) has a name;
// `user` and its primary group exist; `document_root` is a directory the workers' user can search
// (tested by a child process that switches to `user` when running as root); each log file passes
// log::checkLogFile (its directory exists, nothing another user planted is in its place). Returns
// one readable line per problem; empty when all is well. Forks (only as root with a `user`): call
// it before any thread or logger exists.
std::vector<std::string> preflight(const config::Config& config);

// preflight(), its problems printed on stderr, one line each ("learnhttpd: SOURCE: PROBLEM");
// true when there were none.
bool passesPreflight(const config::Config& config);

// What deserves a warning but does not stop a start: a certificate expiring within 14 days, an
// SNI name two certificates claim.
std::vector<std::string> preflightWarnings(const config::Config& config);

// The certificate pairs `config` names, the default (tls.certificate, tls.key) first, then
// tls.certificates in order; empty when no listener speaks TLS.
std::vector<tls::CertificateFiles> tlsCertificates(const config::Config& config);

}  // namespace learnhttpd::master
