// SPDX-License-Identifier: MIT
#pragma once
// Opening a path strictly beneath a directory fd, by either of two resolvers with one contract.
//
// Contract (what openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) gives, which is the first
// resolver): `relative` has no leading '/'; "." names `dir` itself; a trailing '/' requires a
// directory (ENOTDIR otherwise). Symlinks are followed while they stay beneath `dir`; an
// absolute symlink or a ".." that would climb above `dir` fails with EXDEV; more than 40
// symlinks fail with ELOOP. The result is opened O_RDONLY | O_CLOEXEC | O_NONBLOCK. Returns the
// new fd, or -1 with errno set. Thread-safe (no shared state).
//
// The second resolver, Walk, exists because openat2 can be missing: a seccomp filter (some
// container runtimes, systemd SystemCallFilter= sets) makes it fail with ENOSYS or EPERM. It
// walks the path one component at a time from `dir`, opening each step O_PATH | O_NOFOLLOW
// relative to the previous one, reading symlinks itself and keeping its own stack of the
// directories it entered, so ".." never leaves `dir` and no step is resolved by the kernel
// through a path a client controls.

#include <string>
#include <string_view>

namespace learnhttpd::fs {

enum class Resolver { Openat2, Walk };

int openBeneath(int dir, const char* relative, Resolver resolver);

// The Walk resolver on its own (see above); exposed for the tests.
int openBeneathWalk(int dir, std::string_view relative);

// Whether openat2 works for `dir` here. Walk when the kernel or a seccomp filter refuses the
// call itself (ENOSYS, EPERM, EINVAL, E2BIG); `why` then says so in one readable line.
Resolver probeOpenat2(int dir, std::string& why);

}  // namespace learnhttpd::fs
