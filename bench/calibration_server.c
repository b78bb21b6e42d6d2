// SPDX-License-Identifier: MIT
/* The bench's calibration row: the least an HTTP/1.1 keep-alive server can do on this machine.
 *
 * One thread, one epoll set, non-blocking sockets. For every recv() it counts the request heads
 * ("\r\n\r\n") that completed and answers each with the same fixed 38-byte response in one send():
 * recv + send per request and nothing else -- no parsing, no files, no Date, no logging (a read
 * that contains "HTTP/1.0\r" is answered and then closed, which is what ab without -k waits for).
 * Whatever a real server reaches is read against this ceiling; a loaded machine shows here too.
 *
 * Usage: calibration_server PORT PIDFILE     (listens on 127.0.0.1; stops on SIGTERM/SIGINT)
 * Built by bench/run into a temporary directory; not part of the product. */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char kResponse[] =
    "HTTP/1.1 200 OK\r\nServer: calibration\r\nContent-Type: text/html\r\n"
    "Content-Length: 38\r\n\r\n<!doctype html><p>learnhttpd bench</p>";

/* Per connection: how many bytes of "\r\n\r\n" the previous read ended with. */
static unsigned char matched[1 << 20];

static volatile sig_atomic_t stop;
static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static void serve(int epfd, int fd) {
  char buf[16384];
  char out[sizeof kResponse * 64];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0 || fd >= (int)sizeof matched) {
      epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
      close(fd);
      if (fd < (int)sizeof matched) matched[fd] = 0;
      return;
    }
    size_t heads = 0;
    unsigned char m = matched[fd];
    for (ssize_t i = 0; i < n; ++i) {
      char want = (m % 2 == 0) ? '\r' : '\n';
      if (buf[i] == want) {
        if (++m == 4) {
          ++heads;
          m = 0;
        }
      } else {
        m = (buf[i] == '\r') ? 1 : 0;
      }
    }
    matched[fd] = m;
    const int close_after = memmem(buf, (size_t)n, "HTTP/1.0\r", 9) != NULL;
    while (heads > 0) {
      size_t batch = heads < 64 ? heads : 64;
      size_t len = 0;
      for (size_t i = 0; i < batch; ++i) {
        memcpy(out + len, kResponse, sizeof kResponse - 1);
        len += sizeof kResponse - 1;
      }
      /* The bench's clients never let a 38-byte answer fill a send buffer. */
      if (send(fd, out, len, MSG_NOSIGNAL) != (ssize_t)len) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
        close(fd);
        matched[fd] = 0;
        return;
      }
      heads -= batch;
    }
    if (close_after) {
      epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
      close(fd);
      matched[fd] = 0;
      return;
    }
    if ((size_t)n < sizeof buf) return;
  }
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s PORT PIDFILE\n", argv[0]);
    return 2;
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(lfd, 4096) != 0) {
    perror("bind/listen");
    return 1;
  }
  FILE* pid = fopen(argv[2], "w");
  if (pid) {
    fprintf(pid, "%d\n", (int)getpid());
    fclose(pid);
  }
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
  epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
  struct epoll_event events[256];
  while (!stop) {
    int n = epoll_wait(epfd, events, 256, 1000);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd != lfd) {
        serve(epfd, fd);
        continue;
      }
      for (;;) {
        int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) break;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
        epoll_ctl(epfd, EPOLL_CTL_ADD, c, &cev);
      }
    }
  }
  return 0;
}
