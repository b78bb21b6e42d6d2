# SPDX-License-Identifier: MIT
"""The systemd protocol without systemd: sd_notify messages (READY, STATUS, RELOADING with
MONOTONIC_USEC, STOPPING), the watchdog that is fed only while workers are alive, and socket
activation (LISTEN_FDS/LISTEN_PID with the socket on fd 3)."""

import os
import signal
import socket
import tempfile
import threading
import time
import unittest

from docroot import A_TXT
from learnhttpd_harness import ServerError, wait_until, worker_model
from supervision_support import (
    SiteTestCase, connection_refused, continue_quietly, free_port, get_on)
from tls_pki import Pki, openssl_available


def monotonic_usec():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000


class NotifySocket:
    """The receiving end of NOTIFY_SOCKET: collects (monotonic time, {key: value}) per
    datagram."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-notify-")
        self.path = os.path.join(self.tmp.name, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.1)
        self.messages = []
        self.cond = threading.Condition()
        self.running = True
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self):
        while self.running:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
            with self.cond:
                self.messages.append((time.monotonic(), fields))
                self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.messages)

    def wait_for(self, key, value=None, since=0, timeout=5.0):
        """The first message at index >= `since` that has `key` (equal to `value` if given),
        as (index, time, fields); None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(since, len(self.messages)):
                    at, fields = self.messages[i]
                    if key in fields and (value is None or fields[key] == value):
                        return i, at, fields
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.cond.wait(remaining)

    def times_of(self, key):
        with self.cond:
            return [at for at, fields in self.messages if key in fields]

    def close(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()
        self.tmp.cleanup()


class NotifyTests(SiteTestCase):
    def setUp(self):
        super().setUp()
        self.notify = NotifySocket()
        self.addCleanup(self.notify.close)

    def start_notified(self, config=None, env=None, **kwargs):
        env = {"NOTIFY_SOCKET": self.notify.path, **(env or {})}
        return self.start({"workers": 2, **(config or {})}, env=env, **kwargs)

    def assert_ready(self, since=0, timeout=5.0):
        ready = self.notify.wait_for("READY", "1", since, timeout)
        self.assertTrue(ready, f"no READY=1 after message {since}: {self.notify.messages}")
        return ready

    def test_ready_status_reloading_stopping(self):
        srv = self.start_notified()
        index, _, _ = self.assert_ready()
        # READY=1 means the workers serve: the master has seen every one's heartbeat.
        self.assertTrue(srv.wait_for_log(r"generation 1 ready", 1.0))
        self.assertEqual(srv.get("/a.txt").body, A_TXT)
        status = self.notify.wait_for("STATUS", since=0, timeout=3.0)
        self.assertTrue(status, self.notify.messages)
        self.assertIn("generation 1", status[2]["STATUS"])

        mark = self.notify.mark()
        before = monotonic_usec()
        srv.signal(signal.SIGHUP)
        reloading = self.notify.wait_for("RELOADING", "1", mark)
        self.assertTrue(reloading, self.notify.messages[mark:])
        after = monotonic_usec()
        stamp = int(reloading[2].get("MONOTONIC_USEC", "-1"))
        self.assertTrue(before <= stamp <= after, (before, stamp, after))
        self.assert_ready(since=reloading[0] + 1)
        self.assertTrue(srv.wait_for_log(r"generation 2 ready", 1.0))

        mark = self.notify.mark()
        srv.stop(signal.SIGTERM)
        self.assertTrue(self.notify.wait_for("STOPPING", "1", mark, timeout=2.0),
                        self.notify.messages[mark:])

    def test_failed_reload_reports_ready_again(self):
        srv = self.start_notified()
        self.assert_ready()
        srv.write_config(text="{ \"no_such_setting\": 1 }\n")
        mark = self.notify.mark()
        srv.signal(signal.SIGHUP)
        reloading = self.notify.wait_for("RELOADING", "1", mark)
        self.assertTrue(reloading, self.notify.messages[mark:])
        _, _, fields = self.assert_ready(since=reloading[0] + 1)
        self.assertIn("reload failed", fields.get("STATUS", ""))
        self.assertIn("no_such_setting", fields.get("STATUS", ""))
        srv.stop()

    def test_watchdog_fed_only_while_workers_live(self):
        srv = self.start_notified(
            env={"WATCHDOG_USEC": "2000000"},
            launcher=["sh", "-c", 'WATCHDOG_PID=$$ exec "$@"', "sh"])
        self.assert_ready()
        start = time.monotonic()
        self.assertTrue(wait_until(
            lambda: len([t for t in self.notify.times_of("WATCHDOG") if t >= start]) >= 2, 3.0),
            f"fewer than 2 WATCHDOG=1 in 3 s: {self.notify.messages}")

        workers = self.wait_workers(srv, 2)
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)
            self.addCleanup(continue_quietly, pid)
        stopped = time.monotonic()

        def silent_for(seconds):
            last = max(self.notify.times_of("WATCHDOG"), default=stopped)
            return time.monotonic() - max(last, stopped) >= seconds

        self.assertTrue(wait_until(lambda: silent_for(1.5), 6.0, interval=0.05),
                        "WATCHDOG=1 kept coming with every worker stopped")
        last = max(self.notify.times_of("WATCHDOG"))
        self.assertLess(last - stopped, 4.5, "the watchdog was fed long after workers hung")

        for pid in workers:
            continue_quietly(pid)
        resumed = time.monotonic()
        self.assertTrue(wait_until(lambda: max(self.notify.times_of("WATCHDOG")) > resumed, 3.0),
                        "WATCHDOG=1 did not resume once the workers ran again")
        srv.stop()


class SocketActivationTests(SiteTestCase):
    def test_serves_on_passed_socket_only(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(listener.close)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        passed_port = listener.getsockname()[1]
        config_port = free_port()
        fd = listener.fileno()
        # The server must find the socket at fd 3 (SD_LISTEN_FDS_START) and LISTEN_PID must be
        # its own pid: the shell moves the descriptor, then execs the server under its own pid.
        move = "" if fd == 3 else f" 3<&{fd} {fd}<&-"
        srv = self.start({"workers": 2, "listen": [f"127.0.0.1:{config_port}"]},
                         env={"LISTEN_FDS": "1"}, pass_fds=(fd,),
                         launcher=["sh", "-c", f'LISTEN_PID=$$ exec "$@"{move}', "sh"])
        listener.close()  # only the server holds it now
        self.assertEqual(srv.port, passed_port, srv.stderr_lines())
        self.assertTrue(srv.wait_for_log(r"using 1 socket\(s\) passed by systemd", 1.0),
                        srv.stderr_lines())
        self.wait_ready(srv, 1)
        self.assertEqual(get_on(passed_port, "/a.txt").body, A_TXT)
        self.assertTrue(connection_refused(config_port), f"config port {config_port} was bound")

        mark = srv.log_mark()
        srv.signal(signal.SIGHUP)
        self.wait_ready(srv, 2, since=mark)
        self.assertEqual(get_on(passed_port, "/a.txt").body, A_TXT)
        self.assertTrue(connection_refused(config_port), "reload bound the config port")
        srv.stop()


    @unittest.skipUnless(openssl_available(), "needs the openssl command for a test certificate")
    def test_passed_socket_for_an_ssl_address_speaks_tls_only(self):
        # Before, every socket systemd passed was served in clear, "ssl" or not (a warning
        # said so): a listener declared TLS answered plain HTTP. Now a passed socket whose
        # port is an "ssl" address's port speaks TLS; the same port both ways is refused.
        if worker_model() not in ("event", "threadpool"):
            self.skipTest("only the production models serve TLS")
        pki = Pki()
        self.addCleanup(pki.close)
        chain, key = pki.leaf("activated", 0x1234)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(listener.close)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        port = listener.getsockname()[1]
        fd = listener.fileno()
        move = "" if fd == 3 else f" 3<&{fd} {fd}<&-"
        srv = self.start({"workers": 1, "listen": [f"0.0.0.0:{port} ssl"],
                          "tls": {"certificate": chain, "key": key}},
                         env={"LISTEN_FDS": "1"}, pass_fds=(fd,),
                         launcher=["sh", "-c", f'LISTEN_PID=$$ exec "$@"{move}', "sh"])
        listener.close()
        self.wait_ready(srv, 1)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            raw.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = raw.recv(65536)
        self.assertNotIn(A_TXT, answer, "a TLS listener answered in clear")
        self.assertTrue(answer.startswith(b"HTTP/1.1 400"), answer[:80])
        context = pki.client_context()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"GET /a.txt HTTP/1.1\r\nHost: localhost\r\n"
                            b"Connection: close\r\n\r\n")
                data = b""
                while chunk := tls.recv(65536):
                    data += chunk
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:80])
        self.assertTrue(data.endswith(A_TXT))
        srv.stop()

    def test_a_port_both_ssl_and_plain_is_refused_when_systemd_passes_it(self):
        if worker_model() not in ("event", "threadpool"):
            self.skipTest("only the production models serve TLS")
        pki = Pki()
        self.addCleanup(pki.close)
        chain, key = pki.leaf("both", 0x1235)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(listener.close)
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        fd = listener.fileno()
        move = "" if fd == 3 else f" 3<&{fd} {fd}<&-"
        with self.assertRaises(ServerError) as caught:
            self.start({"workers": 1, "listen": [f"127.0.0.1:{port}", f"[::1]:{port} ssl"],
                        "tls": {"certificate": chain, "key": key}},
                       env={"LISTEN_FDS": "1"}, pass_fds=(fd,),
                       launcher=["sh", "-c", f'LISTEN_PID=$$ exec "$@"{move}', "sh"])
        self.assertIn(f"port {port} is both", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
