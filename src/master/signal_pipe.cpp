#include "master/signal_pipe.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace learnhttpd::master {
namespace {

volatile sig_atomic_t g_write_fd = -1;  // the only global: the handler's way to the pipe

void onSignal(int signal) {
  int saved = errno;
  auto byte = static_cast<unsigned char>(signal);
  // Non-blocking: if the pipe is full the loop already has plenty to wake up for.
  [[maybe_unused]] ssize_t n = ::write(g_write_fd, &byte, 1);
  errno = saved;
}

}  // namespace

bool SignalPipe::install(const std::vector<int>& signals) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return false;
  read_.reset(fds[0]);
  write_.reset(fds[1]);
  g_write_fd = fds[1];
  signals_ = signals;
  struct sigaction action {};
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int s : signals_) {
    if (::sigaction(s, &action, nullptr) != 0) return false;
  }
  ::signal(SIGPIPE, SIG_IGN);
  return true;
}

std::vector<int> SignalPipe::drain() {
  std::vector<int> received;
  unsigned char buf[64];
  for (;;) {
    ssize_t n = ::read(read_.get(), buf, sizeof buf);
    if (n <= 0) break;
    received.insert(received.end(), buf, buf + n);
  }
  return received;
}

sigset_t SignalPipe::blockAll() {
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, &previous);
  return previous;
}

void SignalPipe::restore(const sigset_t& mask) { ::sigprocmask(SIG_SETMASK, &mask, nullptr); }

void SignalPipe::resetInChild() {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  for (int s : signals_) ::sigaction(s, &action, nullptr);
  g_write_fd = -1;
  read_.reset();
  write_.reset();
}

}  // namespace learnhttpd::master
