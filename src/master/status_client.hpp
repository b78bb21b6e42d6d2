// SPDX-License-Identifier: MIT
#pragma once
// `learnhttpd -s status`: asks the running master's status listener for its table
// (GET /status?format=text) and prints it, like `systemctl status` but per worker.

#include "config/config.hpp"

namespace learnhttpd::master {

// Connects to config.status.listen (a wildcard address is asked on its loopback), prints the
// table on stdout and returns 0; prints one line on stderr and returns 1 when the listener is
// off in the configuration, has no fixed port, does not answer within a few seconds, or
// answers with an error.
int printStatus(const config::Config& config);

}  // namespace learnhttpd::master
