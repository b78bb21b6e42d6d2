// SPDX-License-Identifier: MIT
#pragma once
// `learnhttpd -s reload|stop|quit|reopen`: signalling a running master found by $MAINPID or
// its pid file.

#include <string>

#include "config/config.hpp"

namespace learnhttpd::master {

// Sends the signal for `action` to the master named by $MAINPID (set by systemd for
// ExecReload=; it must name a process called like this one) or else by config.pid_file, and
// waits for the effect: reload until the master runs a new generation of workers, stop/quit
// until the master has exited, reopen not at all. Prints one line on failure; returns the exit
// code (0 done, 1 failed). The caller has already validated the configuration (and run
// preflight) for a reload.
int signalRunningMaster(const config::Config& config, const std::string& action);

}  // namespace learnhttpd::master
