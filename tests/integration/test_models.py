# SPDX-License-Identifier: MIT
"""What each worker model documents about itself (docs/models.md), asserted against the real
binary under LEARNHTTPD_MODEL: every timeout holds, stop signals reach a worker that waits for a
client, the heartbeat goes on while it waits, no descriptor or process is left behind, and each
model's limit behaves as documented -- where a connection waits at the bound, that it waits and
is then served; where select() cannot watch a descriptor, that the client is refused cleanly."""

import os
import resource
import select
import signal
import socket
import time
import unittest

from docroot import A_TXT, ServerTestCase, make_site
from learnhttpd_harness import (
    Server, children_of, process_gone, read_responses, read_until_close, wait_until, worker_model)

GET_A = b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
MODEL = worker_model()
BLOCKING = ("blocking", "process-per-connection", "thread-per-connection", "threads-accept",
            "threads-queue")


def served(sock, timeout=5.0):
    sock.sendall(GET_A)
    (resp,), closed = read_responses(sock, 1, timeout=timeout)
    return resp.status == 200 and resp.body == A_TXT and not closed


def answered_within(sock, seconds):
    """True when a response head arrives within `seconds` (the request was sent already)."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1024).startswith(b"HTTP/1.1 ")
    except socket.timeout:
        return False


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def task_count(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


# The number of keep-alive clients that hold everything one worker can serve at once, and the
# configuration that sets it: by construction for the blocking models, max_connections for the
# others (where the worker stops accepting at the bound, as every model does).
HOLDERS = 2
BOUND_CONFIG = {
    "blocking": {"workers": 1},
    "threads-accept": {"workers": 1, "threads": HOLDERS},
    "threads-queue": {"workers": 1, "threads": HOLDERS},
}.get(MODEL, {"workers": 1, "max_connections": HOLDERS})
BOUND = 1 if MODEL == "blocking" else HOLDERS


class TimeoutTests(ServerTestCase):
    """Every timeout holds in every model: a silent or slow client holds a worker or thread only
    until its timeout. One worker, one thread where a model has threads."""

    CONFIG = {"workers": 1, "threads": 1, "header_timeout": "1s", "keepalive_timeout": "1s"}

    def test_silent_client_is_dropped_at_header_timeout(self):
        with self.srv.connect() as silent:
            started = time.monotonic()
            data, closed = read_until_close(silent, 4.0)
            self.assertTrue(closed, f"{MODEL}: a silent connection outlived header_timeout")
            self.assertEqual(data, b"")
            self.assertLess(time.monotonic() - started, 2.5)

    def test_trickled_head_gets_408_within_header_timeout(self):
        with self.srv.connect() as slow:
            started = time.monotonic()
            for part in (b"GET /a.txt HTTP/1.1\r\n", b"Host: x\r\n"):
                slow.sendall(part)
                time.sleep(0.4)
            data, closed = read_until_close(slow, 4.0)
            self.assertTrue(data.startswith(b"HTTP/1.1 408 "), data[:100])
            self.assertTrue(closed)
            self.assertLess(time.monotonic() - started, 2.5)

    def test_idle_keepalive_is_closed_at_keepalive_timeout(self):
        with self.srv.connect() as sock:
            self.assertTrue(served(sock))
            started = time.monotonic()
            self.assertTrue(read_until_close(sock, 4.0)[1], "keep-alive outlived its timeout")
            self.assertLess(time.monotonic() - started, 2.5)

    def test_a_silent_client_delays_the_next_one_at_most_its_timeout(self):
        # blocking -w 1, one thread: the silent client holds the only server thread, so the next
        # client waits -- but only until header_timeout frees it.
        with self.srv.connect() as silent, self.srv.connect() as sock:
            silent.sendall(b"G")
            started = time.monotonic()
            self.assertTrue(served(sock, timeout=5.0))
            self.assertLess(time.monotonic() - started, 2.5)


class StopTests(unittest.TestCase):
    """QUIT and TERM reach a worker that waits for a client (in accept, in recv)."""

    @classmethod
    def setUpClass(cls):
        cls.site, cls.root = make_site()

    @classmethod
    def tearDownClass(cls):
        cls.site.cleanup()

    def start(self, **config):
        base = {"workers": 1, "threads": 2, "shutdown_timeout": "5s"}
        srv = Server(self.root, config={**base, **config})
        self.addCleanup(srv.close)
        return srv

    def test_term_with_idle_and_silent_clients_is_prompt(self):
        srv = self.start()
        idle, silent = srv.connect(), srv.connect()
        try:
            self.assertTrue(served(idle))
            silent.sendall(b"GET /a")
            time.sleep(0.2)
            started = time.monotonic()
            self.assertEqual(srv.stop(signal.SIGTERM), 0)
            self.assertLess(time.monotonic() - started, 1.5, f"{MODEL}: TERM was not prompt")
        finally:
            idle.close()
            silent.close()

    def test_quit_gives_an_idle_client_a_short_last_call(self):
        srv = self.start()
        with srv.connect() as idle:
            self.assertTrue(served(idle))
            started = time.monotonic()
            srv.signal(signal.SIGQUIT)
            self.assertTrue(read_until_close(idle, 4.0)[1], "idle client kept open after QUIT")
            self.assertEqual(srv.proc.wait(5), 0)
            self.assertLess(time.monotonic() - started, 3.0)
        srv.stop()

    def test_heartbeat_goes_on_while_waiting_for_clients(self):
        # worker_timeout 1s: a worker whose control thread is blocked in accept or in a silent
        # client's recv must still stamp, or the master would replace it.
        srv = self.start(worker_timeout="1s", header_timeout="10s")
        (pid,) = srv.wait_for_workers(1)
        with srv.connect() as silent:
            silent.sendall(b"GET /a")
            time.sleep(3.0)
            self.assertEqual(srv.worker_pids(), [pid], "\n".join(srv.stderr_lines()[-5:]))
        self.assertEqual(srv.stop(), 0)


class ResourceTests(ServerTestCase):
    """No descriptor, thread or process is left behind by served connections."""

    CONFIG = {"workers": 1, "threads": 2}

    def test_connections_leave_no_descriptor_or_process_behind(self):
        (pid,) = self.srv.wait_for_workers(1)
        for _ in range(3):  # warm up (lazily opened files, the spare descriptor)
            with self.srv.connect() as sock:
                self.assertTrue(served(sock))
        wait_until(lambda: not children_of(pid), 2.0)
        before = fd_count(pid)
        for i in range(150):
            with self.srv.connect() as sock:
                self.assertTrue(served(sock))
                if i % 3 == 0:
                    sock.sendall(b"BAD REQUEST\r\n\r\n")
        settled = wait_until(lambda: fd_count(pid) <= before and not children_of(pid), 5.0)
        self.assertTrue(settled, f"{MODEL}: {fd_count(pid)} fds (was {before}), "
                        f"children {children_of(pid)}")


class BoundTests(unittest.TestCase):
    """At a model's bound a new connection waits in the backlog and is served when a holder
    leaves (blocking -w 1: one client at a time; threads-accept and threads-queue: `threads`
    keep-alive clients pin every thread -- the starvation `threadpool` fixes; the others:
    max_connections)."""

    def setUp(self):
        site, root = make_site()
        self.addCleanup(site.cleanup)
        self.srv = Server(root, config=BOUND_CONFIG)
        self.addCleanup(self.srv.close)

    def test_the_next_client_waits_at_the_bound_then_is_served(self):
        srv = self.srv
        holders = [srv.connect() for _ in range(BOUND)]
        try:
            for sock in holders:
                self.assertTrue(served(sock))
            with srv.connect() as waiting:
                waiting.sendall(GET_A)
                self.assertFalse(answered_within(waiting, 0.8),
                                 f"{MODEL}: served past its bound of {BOUND}")
                holders.pop().close()
                self.assertTrue(answered_within(waiting, 3.0),
                                f"{MODEL}: not served after a holder left")
        finally:
            for sock in holders:
                sock.close()
        self.assertEqual(srv.stop(), 0)

    def test_a_client_that_asked_to_close_gives_its_place_at_once(self):
        # RFC 9112 section 9.6: a client that sends "close" sends no further request. Once it
        # is answered, nothing of it is left to read, so the worker closes at once -- lingering
        # (reading on until the client closes too, up to 2 s) is for a client that may still be
        # sending -- and the next client takes its place even while this one keeps its socket.
        srv = self.srv
        holders = [srv.connect() for _ in range(BOUND)]
        try:
            for sock in holders[1:]:
                self.assertTrue(served(sock))
            holders[0].sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data, closed = read_until_close(holders[0], 3.0)
            self.assertTrue(closed and data.startswith(b"HTTP/1.1 200"), data)
            with srv.connect() as waiting:
                waiting.sendall(GET_A)
                self.assertTrue(answered_within(waiting, 1.2),
                                f"{MODEL}: a finished client that asked to close kept its place")
        finally:
            for sock in holders:
                sock.close()
        self.assertEqual(srv.stop(), 0)


@unittest.skipUnless(MODEL == "process-per-connection", "a process per connection")
class ProcessPerConnectionTests(ServerTestCase):
    CONFIG = {"workers": 1}

    def test_each_connection_is_a_child_that_is_reaped(self):
        (pid,) = self.srv.wait_for_workers(1)
        socks = [self.srv.connect() for _ in range(3)]
        try:
            for sock in socks:
                self.assertTrue(served(sock))
            self.assertEqual(len(children_of(pid)), 3)
        finally:
            for sock in socks:
                sock.close()
        self.assertTrue(wait_until(lambda: not children_of(pid), 3.0), children_of(pid))

    def test_children_stop_with_the_worker(self):
        site_srv = Server(self.root, config={"workers": 1})
        self.addCleanup(site_srv.close)
        (pid,) = site_srv.wait_for_workers(1)
        with site_srv.connect() as sock:
            self.assertTrue(served(sock))
            (child,) = children_of(pid)
            self.assertEqual(site_srv.stop(signal.SIGTERM), 0)
            self.assertTrue(wait_until(lambda: process_gone(child), 2.0), child)


@unittest.skipUnless(MODEL == "thread-per-connection", "a thread per connection")
class ThreadPerConnectionTests(ServerTestCase):
    CONFIG = {"workers": 1}

    def test_each_connection_is_a_thread_that_is_joined(self):
        (pid,) = self.srv.wait_for_workers(1)
        base = task_count(pid)
        socks = [self.srv.connect() for _ in range(5)]
        try:
            for sock in socks:
                self.assertTrue(served(sock))
            # At least: a sanitizer may start a helper thread of its own meanwhile.
            during = task_count(pid)
            self.assertGreaterEqual(during, base + 5)
        finally:
            for sock in socks:
                sock.close()
        self.assertTrue(wait_until(lambda: task_count(pid) <= during - 5, 3.0), task_count(pid))


@unittest.skipUnless(MODEL == "threads-queue", "the growing pool")
class GrowingPoolTests(ServerTestCase):
    CONFIG = {"workers": 1, "threads": "1..4"}

    def test_pool_grows_while_work_waits_and_shrinks_when_idle(self):
        (pid,) = self.srv.wait_for_workers(1)
        self.assertTrue(self.srv.wait_for_log(r"pool started: 1 thread\(s\) \(1\.\.4\)", 5.0))
        socks = [self.srv.connect() for _ in range(3)]
        try:
            for sock in socks:  # three idle keep-alive clients, each needing its own thread
                self.assertTrue(served(sock))
            self.assertTrue(self.srv.wait_for_log(r"pool grew: 3 thread\(s\)", 2.0))
        finally:
            for sock in socks:
                sock.close()
        self.assertTrue(self.srv.wait_for_log(r"pool shrank: 1 thread\(s\)", 8.0),
                        "\n".join(self.srv.stderr_lines()[-5:]))
        with self.srv.connect() as sock:
            self.assertTrue(served(sock))


@unittest.skipUnless(MODEL == "threads-accept", "threads that each own an accept loop")
class FixedAcceptThreadsTests(ServerTestCase):
    CONFIG = {"workers": 1, "threads": "1..3"}

    def test_a_range_runs_max_threads_and_the_master_says_so(self):
        self.assertTrue(self.srv.wait_for_log(
            r"threads 1\.\.3: threads-accept does not grow or shrink; it runs 3 thread", 5.0),
            self.srv.stderr_lines())
        socks = [self.srv.connect() for _ in range(3)]
        try:
            for sock in socks:  # three keep-alive clients held at once: three threads
                self.assertTrue(served(sock))
        finally:
            for sock in socks:
                sock.close()


@unittest.skipUnless(MODEL == "threads-queue", "the growing pool")
class PoolStatusTests(unittest.TestCase):
    def test_systemd_status_shows_the_pool_size(self):
        from test_systemd import NotifySocket
        notify = NotifySocket()
        self.addCleanup(notify.close)
        site, root = make_site()
        self.addCleanup(site.cleanup)
        srv = Server(root, config={"workers": 1, "threads": "1..4"},
                     env={"NOTIFY_SOCKET": notify.path})
        self.addCleanup(srv.close)

        def status_says(text):
            with notify.cond:
                return any(text in f.get("STATUS", "") for _, f in notify.messages)

        self.assertTrue(wait_until(lambda: status_says(", pool threads 1/4"), 5.0),
                        notify.messages)
        socks = [srv.connect() for _ in range(3)]
        try:
            for sock in socks:
                self.assertTrue(served(sock))
            self.assertTrue(wait_until(lambda: status_says(", pool threads 3/4"), 5.0),
                            notify.messages[-3:])
        finally:
            for sock in socks:
                sock.close()
        self.assertEqual(srv.stop(), 0)


@unittest.skipUnless(MODEL == "busy-poll", "the loop that never waits")
class BusyPollTests(ServerTestCase):
    CONFIG = {"workers": 1}

    def test_idle_worker_burns_cpu_and_says_so(self):
        (pid,) = self.srv.wait_for_workers(1)
        self.assertTrue(self.srv.wait_for_log(r"burns 100% of a CPU", 2.0))
        before, started = cpu_seconds(pid), time.monotonic()
        time.sleep(1.5)
        share = (cpu_seconds(pid) - before) / (time.monotonic() - started)
        # A waiting worker uses well under 1% of a CPU; a spinning one all it gets, which on a
        # box shared with builds and other tests may be a fraction of one.
        self.assertGreater(share, 0.1, "an idle busy-poll worker should spin")
        with self.srv.connect() as sock:
            self.assertTrue(served(sock))


@unittest.skipIf(MODEL in ("blocking", "process-per-connection", "threads-accept",
                           "threads-queue"),
                 "connections do not pile up as descriptors of one process there")
class DescriptorLimitTests(unittest.TestCase):
    """Out of descriptors (EMFILE), a worker gives up its spare descriptor to accept the next
    client and close it at once -- the client hears "no" instead of waiting in a backlog while
    the listening socket stays readable -- and serves again once descriptors are free."""

    def test_a_client_past_the_descriptor_limit_is_closed_at_once(self):
        site, root = make_site()
        self.addCleanup(site.cleanup)
        srv = Server(root, config={"workers": 1, "max_connections": 1000,
                                   "header_timeout": "60s"},
                     launcher=["prlimit", "--nofile=64:64"])
        self.addCleanup(srv.close)
        srv.wait_for_workers(1)
        socks = []
        try:
            for _ in range(100):  # 64 descriptors: the worker can hold some 50 of them
                socks.append(srv.connect(timeout=5))
            # The accepted ones wait for a request; a refused one is closed without a word.
            readable, _, _ = select.select(socks, [], [], 3.0)
            refused = [s for s in readable if s.recv(1) == b""]
            self.assertTrue(refused, "no connection was refused at 64 descriptors")
            self.assertLess(len(refused), 100, "every connection was refused")
            self.assertTrue(srv.wait_for_log(r"out of file descriptors, refusing a connection",
                                             2.0))
        finally:
            for sock in socks:
                sock.close()
        def serves_again():  # once the worker has seen our clients go
            try:
                with srv.connect(timeout=2) as sock:
                    return served(sock, timeout=2)
            except (OSError, AssertionError):  # still out of descriptors: refused
                return False
        self.assertTrue(wait_until(serves_again, 10.0), "the worker did not serve again")
        self.assertEqual(srv.stop(), 0)


@unittest.skipUnless(MODEL == "select", "FD_SETSIZE")
class SelectLimitTests(ServerTestCase):
    """Descriptors past FD_SETSIZE (1024) are refused with a 503, never FD_SET, and the worker
    keeps serving: 1100 real client connections at one worker."""

    CONFIG = {"workers": 1, "max_connections": 5000}
    COUNT = 1100

    def test_connections_past_fd_setsize_are_refused_cleanly(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < self.COUNT + 100:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
        socks, statuses = [], []
        deadline = time.monotonic() + 60
        try:
            for _ in range(self.COUNT):
                self.assertLess(time.monotonic(), deadline, "took too long")
                sock = self.srv.connect(timeout=5)
                socks.append(sock)
                sock.sendall(GET_A)
                try:
                    (resp,), _ = read_responses(sock, 1, timeout=5)
                    statuses.append(resp.status)
                except AssertionError:
                    statuses.append("closed")
            served_count = statuses.count(200)
            refused = statuses.count(503) + statuses.count("closed")
            self.assertEqual(served_count + refused, self.COUNT, set(statuses))
            self.assertGreater(served_count, 900, set(statuses))
            self.assertGreater(refused, 50)
            self.assertTrue(self.srv.wait_for_log(r"refused a connection: descriptor \d+ >= "
                                                  r"FD_SETSIZE 1024", 2.0))
            self.assertTrue(served(socks[0]), "an early connection is still served")
        finally:
            for sock in socks:
                sock.close()
        with self.srv.connect() as sock:
            self.assertTrue(served(sock), "the worker stopped serving")


if __name__ == "__main__":
    unittest.main()
