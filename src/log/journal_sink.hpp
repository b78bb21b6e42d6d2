// SPDX-License-Identifier: MIT
#pragma once
// The error log as systemd's journal wants it when stderr is a journal stream: every line
// starts with a syslog priority, "<3>master: reload failed ...", and carries neither a
// timestamp nor a pid (journald records both itself). `journalctl -p err -u learnhttpd` then
// shows the errors.

#include <memory>

namespace spdlog {
class formatter;
}

namespace learnhttpd::log {

// True when JOURNAL_STREAM ("DEV:INODE", set by systemd for StandardError=journal) names the
// file that fd 2 is now. A variable inherited by a process whose stderr was redirected
// elsewhere (a shell started from a unit, `2>file`) does not match, as sd_journal(3) advises.
bool stderrIsJournalStream();
// The same test for any descriptor (stdout: the access log under systemd).
bool isJournalStream(int fd);

// "<3>" (error) when stderrIsJournalStream(), else "": for the one-line messages written
// straight to stderr, before or without a logger (-t, -s, a failed start), so that
// `journalctl -p err` shows them too. Checked once, on the first call.
const char* stderrErrorPrefix();
// "<2>" (critical) likewise: for a start that fails before the error log is set up.
const char* stderrCriticalPrefix();

// An spdlog formatter that writes a record as its text alone, with a `<N>` prefix on every line
// (sd-daemon.h levels: critical 2, error 3, warn 4, info 6, debug/trace 7) and a newline after
// the last. Stateless: safe wherever spdlog calls formatters (under the sink's lock).
std::unique_ptr<spdlog::formatter> makeJournalFormatter();

}  // namespace learnhttpd::log
