// SPDX-License-Identifier: MIT
#pragma once
// The start record: beside the pid file, what the master was started with -- its working
// directory and the flags that make its configuration -- so that `-s reload` checks the
// configuration the master will re-read, not the one the flags given to -s would name.
//
// The file is PIDFILE.cmdline, written by the master (replaceFile: never through a planted
// name) and removed with the pid file. Its fields are separated by NUL bytes, as in
// /proc/PID/cmdline: "learnhttpd-start 1", the pid, the directory, then one field per
// argument. Nothing here is async-signal-safe.

#include <sys/types.h>

#include <string>
#include <vector>

namespace learnhttpd::sys {

struct StartRecord {
  pid_t pid = 0;
  std::string directory;          // the master's working directory (after -d: "/")
  std::vector<std::string> args;  // without argv[0]
};

// PIDFILE.cmdline.
std::string startRecordPath(const std::string& pid_file);

// Writes this process's record (getpid(), getcwd()) beside `pid_file`; false + error.
bool writeStartRecord(const std::string& pid_file, const std::vector<std::string>& args,
                      std::string& error);

enum class RecordState {
  Found,      // a record of this user, naming the process asked for
  Missing,    // none, or one that names another process (left by a master that died)
  Untrusted,  // refused: see `error`
};

struct RecordLookup {
  RecordState state = RecordState::Missing;
  StartRecord record;
  std::string error;  // why it was refused (Untrusted)
};

// Reads the record beside `pid_file` for process `pid`. The record decides which files -s
// reads -- as root, perhaps, and error messages quote what they read -- so it is used only
// when it is a regular file (not followed through a symlink) owned by the caller's own
// effective uid, which a master of that user wrote, and writable by no one else.
RecordLookup readStartRecord(const std::string& pid_file, pid_t pid);

// Removes the record beside `pid_file` when it names this process.
void removeStartRecord(const std::string& pid_file);

}  // namespace learnhttpd::sys
