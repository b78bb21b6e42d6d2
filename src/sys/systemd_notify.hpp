#pragma once
// The sd-daemon side of systemd integration. Outside systemd (no NOTIFY_SOCKET) every call is
// a cheap no-op. Not async-signal-safe: call from the master's loop.

#include <string>

namespace learnhttpd::sys {

// Sends a state string such as "READY=1\nSTATUS=serving" to the service manager.
void notifySystemd(const std::string& state);

}  // namespace learnhttpd::sys
