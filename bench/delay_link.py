#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A slow link between two network namespaces, in user space: what `tc qdisc ... netem delay`
does, for kernels built without netem (CONFIG_NET_SCH_NETEM).

Usage: delay_link.py CLIENT_NS SERVER_NS DELAY_MS
Creates a TUN device in each namespace (CLIENT_NS gets 10.199.20.2/24, SERVER_NS 10.199.20.1/24)
and forwards every IP packet from one to the other DELAY_MS later, in order, in both
directions: a round trip takes twice DELAY_MS plus a little. Prints "ready" once both ends are
up, then runs until SIGTERM or SIGINT, or until its standard input closes (so that it does not
outlive a parent that died without stopping it). The namespaces must exist; their devices go
with this process (they are not persistent). The devices have the usual MTU, 1500 bytes. On
its way out it prints how many packets it forwarded and dropped.

Packets are delayed, never dropped or reordered, and the link has no bandwidth limit of its
own beyond what one Python loop forwards (tens of MB/s): enough for a page of a few hundred
kilobytes, which is what bench/protocols loads over it."""

import fcntl
import heapq
import os
import select
import signal
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLIENT_ADDRESS = "10.199.20.2"
SERVER_ADDRESS = "10.199.20.1"


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_CLOEXEC)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd


def ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


def attach(fd_name, namespace, address):
    """Moves the TUN device `fd_name` into `namespace` and gives it `address`/24."""
    ip("link", "set", fd_name, "netns", namespace)
    ip("-n", namespace, "link", "set", "lo", "up")
    ip("-n", namespace, "addr", "add", f"{address}/24", "dev", fd_name)
    ip("-n", namespace, "link", "set", fd_name, "up")


def main(argv):
    if len(argv) != 4:
        print(next(line for line in __doc__.splitlines() if line.startswith("Usage:")),
              file=sys.stderr)
        return 2
    client_ns, server_ns, delay = argv[1], argv[2], float(argv[3]) / 1000.0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    tag = str(os.getpid())[-5:]
    names = (f"lhc{tag}", f"lhs{tag}")
    client_fd, server_fd = open_tun(names[0]), open_tun(names[1])
    attach(names[0], client_ns, CLIENT_ADDRESS)
    attach(names[1], server_ns, SERVER_ADDRESS)
    peer = {client_fd: server_fd, server_fd: client_fd}
    watched = [client_fd, server_fd, sys.stdin.fileno()]
    queue = []  # (due, sequence, out fd, packet): FIFO per direction, since the delay is fixed
    sequence = dropped = 0
    print("ready", flush=True)
    while not stop:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, packet = heapq.heappop(queue)
            try:
                os.write(out, packet)
            except BlockingIOError:
                dropped += 1  # the receiving stack is full: a loss, which TCP repairs
        timeout = max(0.0, queue[0][0] - now) if queue else 0.5
        try:
            ready, _, _ = select.select(watched, [], [], timeout)
        except InterruptedError:
            continue
        if sys.stdin.fileno() in ready and not os.read(sys.stdin.fileno(), 512):
            break  # the parent is gone
        for fd in ready:
            if fd not in peer:
                continue
            while True:
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                sequence += 1
                heapq.heappush(queue, (time.monotonic() + delay, sequence, peer[fd], packet))
    os.close(client_fd)
    os.close(server_fd)
    print(f"forwarded {sequence - dropped} packets, dropped {dropped}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
