// SPDX-License-Identifier: MIT
#pragma once
// `learnhttpd -s reload|stop|quit|reopen|status`: signalling (or asking) a running master
// found by $MAINPID or its pid file, with the configuration that master runs with.

#include <string>

#include "config/cli.hpp"
#include "config/config.hpp"

namespace learnhttpd::master {

// The -s client. `cli` are the flags given to -s: their configuration (-c, the default file,
// --pid-file) names the pid file. The master is the process $MAINPID names (set by systemd for
// ExecReload=; it must be a process called like this one), else the pid file's. When the
// master left a start record beside its pid file (sys/start_record.hpp), its configuration
// replaces the one of the flags given to -s: its -c, its other flags, read from its working
// directory -- what the master itself re-reads on HUP. Without a record (pid_file: "" under
// systemd, which passes -c) the flags given to -s stay. Then: reload runs preflight on that
// configuration, signals and waits until the master runs a new generation of workers;
// stop/quit wait until it has exited, reopen does not wait; status prints the master's table
// (status_client.hpp). Prints one line per problem on stderr; returns the exit code (0 done,
// 1 failed). May chdir() to the master's working directory.
int controlRunningMaster(const config::CliOptions& cli);

}  // namespace learnhttpd::master
