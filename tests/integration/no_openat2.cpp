// SPDX-License-Identifier: MIT
// no_openat2 PROGRAM [ARG...]: runs PROGRAM under a seccomp filter that makes openat2(2) fail
// with ENOSYS, the way some sandboxes (older container runtimes, restrictive systemd
// SystemCallFilter= sets) present it. Every other system call is allowed. The filter is
// inherited by PROGRAM and everything it forks, so a server's workers see it too.
//
// Before exec'ing, it checks that the filter really works (openat2 now says ENOSYS), so a test
// that passes under it cannot have passed because the filter silently did nothing.

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

#if defined(__x86_64__)
#define LH_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define LH_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define LH_AUDIT_ARCH AUDIT_ARCH_I386
#else
#error "no_openat2: add this architecture's AUDIT_ARCH_* value"
#endif

int main(int argc, char** argv) {
  if (argc < 2) {
    (void)fprintf(stderr, "usage: no_openat2 PROGRAM [ARG...]\n");
    return 2;
  }
  sock_filter code[] = {
      // A foreign-architecture call could reuse the number for something else: allow it.
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, LH_AUDIT_ARCH, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
      BPF_STMT(BPF_RET | BPF_K,
               SECCOMP_RET_ERRNO | (static_cast<unsigned>(ENOSYS) & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) {
    (void)fprintf(stderr, "no_openat2: cannot install the seccomp filter: %s\n", strerror(errno));
    return 2;
  }
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  long fd = syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof how);
  if (fd >= 0 || errno != ENOSYS) {
    (void)fprintf(stderr, "no_openat2: the filter did not take effect (openat2 returned %ld)\n",
                  fd);
    return 2;
  }
  execvp(argv[1], argv + 1);
  (void)fprintf(stderr, "no_openat2: cannot run %s: %s\n", argv[1], strerror(errno));
  return 127;
}
