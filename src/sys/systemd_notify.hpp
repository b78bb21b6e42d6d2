// SPDX-License-Identifier: MIT
#pragma once
// The sd-daemon side of systemd integration. Outside systemd (no NOTIFY_SOCKET, no LISTEN_FDS,
// no WATCHDOG_USEC) every call is a cheap no-op. Not async-signal-safe: call from the master.

#include <chrono>
#include <string>
#include <vector>

namespace learnhttpd::sys {

// Sends a state string such as "READY=1\nSTATUS=serving" to the service manager.
void notifySystemd(const std::string& state);

// "RELOADING=1\nMONOTONIC_USEC=<now>": what Type=notify-reload expects before a reload.
std::string reloadingState();

// The watchdog interval systemd asked for (WATCHDOG_USEC for this pid); zero when disabled.
std::chrono::microseconds watchdogInterval();

// Listening sockets passed by socket activation (LISTEN_FDS/LISTEN_PID), made close-on-exec
// and non-blocking; empty when there are none.
std::vector<int> activatedSockets();

}  // namespace learnhttpd::sys
