// SPDX-License-Identifier: MIT
#pragma once
// Opening log files safely in a process that may run as root (the class of nginx's
// CVE-2016-1247: a log directory writable by the workers' user lets that user replace a log
// file with a symlink or hard link to any file, which root then appends to and chowns).
//
// The rules, applied to every path below (error log and access log, at start, HUP and USR1,
// and by `-t`):
//   - The path is resolved one component at a time from "/" (or the working directory), each
//     directory opened with O_NOFOLLOW, the file opened relative to its directory's fd; no
//     directory is ever created: a missing one is an error that names it.
//   - A directory is *trusted* when only root or this process's user can write it (owner root
//     or euid, not writable by others, group-writable only for group root). A symbolic link
//     is followed only where it sits in a trusted directory (the administrator put it there).
//   - The directory that holds the file must be trusted, or belong to the workers' user (the
//     `workers` uid below) and be writable by nobody else. Any other directory -- writable by
//     every user (0777, or 1777 like /tmp), by a group other than root, or owned by some other
//     user -- is refused, with a message that says how to fix it: the same verdict at start,
//     reload, reopen and `-t`, whoever owns the files in it by then.
//   - In a directory of the workers' user the file must be a regular file with exactly one
//     link, owned by root, by this process's user or by the workers' user; anything else is
//     refused. A FIFO planted there cannot block the opener (the open never waits).
//   - prepareLogFile() hands a file over (fchown, owner only; the group stays) only when it is
//     a regular file with one link that root owns or that this call just created (O_EXCL).
// Errors are one line: "<path>: <reason>".
//
// Threads: the functions are reentrant (no shared state); they block only on the file system.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace learnhttpd::log {

// True for a target that names a file ("stdout", "stderr" and "off" do not).
bool isFilePath(std::string_view target) noexcept;

// `workers` in each function is the uid the log files are kept for: the workers' user when a
// root master hands them over, else this process's own (geteuid()).

// Opens `path` for appending (O_APPEND, close-on-exec, blocking writes), creating it 0640 when
// missing. An invalid fd and `error` filled on refusal or failure.
base::UniqueFd openLogFile(const std::string& path, uid_t workers, std::string& error);

// The master's step before workers that run as `workers` open the file themselves (and reopen
// it after logrotate): opens or creates it under the rules above and, as root, hands it to
// `workers` when the rules allow. False and `error` on refusal.
bool prepareLogFile(const std::string& path, uid_t workers, std::string& error);

// What `-t` reports: whether openLogFile/prepareLogFile would accept `path`, without creating,
// opening for writing or changing anything. A file that does not exist yet is fine when its
// directory does (and passes the rules).
bool checkLogFile(const std::string& path, uid_t workers, std::string& error);

// Run as the workers' user (a child of the master that switched to it): whether that user can
// walk to the file and, unless the master will hand it over (a root-owned regular file with
// one link), write it -- what a worker needs to reopen the log after logrotate. Creates and
// changes nothing.
bool workersCanOpenLogFile(const std::string& path, std::string& error);

}  // namespace learnhttpd::log
