// SPDX-License-Identifier: MIT
#pragma once
// Process-level services of a Unix daemon: detaching from the terminal, the pid file, and
// dropping root privileges. Called from the main thread at start-up (daemonize, PidFile) or
// in a freshly forked worker (dropPrivileges); none is async-signal-safe.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace learnhttpd::sys {

// Classic daemon: fork, setsid, fork again, chdir("/"), umask 022, stdio to /dev/null -- but for
// stdout/stderr when `keep_stdout`/`keep_stderr` (they are systemd's journal, say). Returns only
// in the final daemon process (the parents _exit(0) once it exists); false + error on failure.
bool daemonize(bool keep_stdout, bool keep_stderr, std::string& error);

// Writes `content` to `path` atomically: a new temporary file beside it (O_EXCL|O_NOFOLLOW,
// so never through a name someone else placed there), renamed over `path` (which replaces a
// symlink at `path` rather than following it). False + error.
bool replaceFile(const std::string& path, std::string_view content, mode_t mode,
                 std::string& error);

// The pid file: written atomically (replaceFile) and removed by the destructor if it still
// names this process, so a crashed master's stale file is told apart by its pid. With it, the
// start record (sys/start_record.hpp) when one was written.
class PidFile {
 public:
  PidFile() = default;
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

  // Refuses (false + error) when `path` names another process that is still alive.
  bool write(const std::string& path, std::string& error);
  // After write(): records `args` and the working directory beside the pid file.
  bool recordStart(const std::vector<std::string>& args, std::string& error);
  // Forgets the files without removing them (in a forked child).
  void release() noexcept { path_.clear(); }

  // The pid named in `path`; -1 + error when missing, unreadable or not a number.
  static pid_t read(const std::string& path, std::string& error);

 private:
  std::string path_;
  bool recorded_ = false;
};

// Switches the calling process to `user` and its groups (initgroups, setgid, setuid) when it
// runs as root and `user` is not empty; otherwise does nothing. False + error on failure.
bool dropPrivileges(const std::string& user, std::string& error);

// Raises the soft limit on open files to the hard limit (thousands of connections per worker
// need more than the usual 1024). Returns the resulting soft limit.
unsigned long raiseFileLimit();

// uid and gid of `user`; false when unknown. Used to hand files to the workers' user.
bool lookupUser(const std::string& user, uid_t& uid, gid_t& gid);

}  // namespace learnhttpd::sys
