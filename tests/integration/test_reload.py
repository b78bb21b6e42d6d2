# SPDX-License-Identifier: MIT
"""HUP: reload the configuration into a new generation of workers, or keep the running one when
the new configuration is invalid; changed settings and listen addresses take effect; and no
request fails while reloads follow each other under keep-alive load."""

import json
import re
import signal
import socket
import sys
import threading
import time
import unittest

from docroot import A_TXT, INDEX
from learnhttpd_harness import build_tree, pseudo_random_bytes
from supervision_support import (
    SiteTestCase, connection_refused, free_port, get_on)

MID = pseudo_random_bytes(200 * 1024 + 7, "mid")


class ReloadTests(SiteTestCase):
    def reload(self, srv, generation):
        """HUP, then waits for `generation` to serve; returns its worker pids."""
        mark = srv.log_mark()
        srv.signal(signal.SIGHUP)
        return self.wait_ready(srv, generation, since=mark)

    def assert_kept(self, srv, pids, mark, expected_error):
        """A failed reload: the error line names the problem, the same workers keep serving."""
        match = srv.wait_for_log(r"master: reload failed, keeping generation (\d+): (.*)$",
                                 5.0, mark)
        self.assertTrue(match, "no 'reload failed' line:\n" + "\n".join(srv.stderr_lines()[mark:]))
        self.assertEqual(match.group(1), "1")
        self.assertRegex(match.group(2), expected_error)
        self.assertEqual(srv.get("/a.txt").body, A_TXT)
        self.assertEqual(srv.worker_pids(), pids)
        self.assertFalse(any("generation 2" in line for line in srv.stderr_lines()[mark:]),
                         srv.stderr_lines()[mark:])

    def test_invalid_config_keeps_generation(self):
        srv = self.start({"workers": 2})
        pids = self.wait_ready(srv, 1)
        self.assertEqual(srv.worker_pids(), pids)
        good = json.dumps(srv.config, indent=2).splitlines()
        path = re.escape(srv.config_path)
        # An unknown key on line 2, then a bad value on a known line.
        cases = [
            (["{", '  "no_such_setting": 1,', *good[1:]], rf"^{path}:2: .*no_such_setting"),
            ([*good[:-1], '  , "workers": "many"', "}"], rf"^{path}:{len(good)}: .*workers"),
        ]
        for lines, expected in cases:
            with self.subTest(expected=expected):
                srv.write_config(text="\n".join(lines) + "\n")
                mark = srv.log_mark()
                srv.signal(signal.SIGHUP)
                self.assert_kept(srv, pids, mark, expected)
        srv.stop()

    def test_unbindable_listen_address_keeps_generation(self):
        srv = self.start({"workers": 2})
        pids = self.wait_ready(srv, 1)
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            srv.write_config({"listen": ["127.0.0.1:0", f"127.0.0.1:{port}"]})
            mark = srv.log_mark()
            srv.signal(signal.SIGHUP)
            self.assert_kept(srv, pids, mark, rf"127\.0\.0\.1:{port}")
        srv.stop()

    def test_valid_reload_starts_new_generation_with_new_settings(self):
        srv = self.start({"workers": 2})
        old = self.wait_ready(srv, 1)
        self.assertEqual(srv.get("/").body, INDEX)
        self.assertEqual(srv.get("/custom.foo").headers["Content-Type"], "application/octet-stream")
        port = srv.port
        srv.write_config({"index": "a.txt", "mime_types": {".foo": "application/x-learnhttpd-foo"}})
        new = self.reload(srv, 2)
        self.assertEqual(len(new), 2, new)
        self.assertFalse(set(new) & set(old), (old, new))
        self.assert_only_workers(srv, new)
        self.assertEqual(get_on(port, "/").body, A_TXT)
        self.assertEqual(srv.get("/custom.foo").headers["Content-Type"],
                         "application/x-learnhttpd-foo")
        srv.stop()

    def test_serving_generation_is_retired_once_the_new_one_is_ready(self):
        """However slowly workers start, some worker accepts throughout a reload: the master
        QUITs the generation that serves only once the new one is ready (with a QUIT at the
        HUP, nobody accepted while the new workers started, and HUPs coming faster than a
        worker starts left no generation serving at all)."""
        srv = self.start({"workers": 1})
        self.wait_ready(srv, 1)
        mark = srv.log_mark()
        srv.signal(signal.SIGHUP)
        self.wait_ready(srv, 2, since=mark)
        retired = r"master: retiring worker 0 \(pid \d+, generation 1\): reload"
        self.assertTrue(srv.wait_for_log(retired, 5.0, mark), srv.stderr_lines()[mark:])
        lines = srv.stderr_lines()[mark:]
        ready_at = next(i for i, line in enumerate(lines) if "generation 2 ready" in line)
        retired_at = next(i for i, line in enumerate(lines) if re.search(retired, line))
        self.assertLess(ready_at, retired_at, "\n".join(lines))
        srv.stop()

    def test_listen_addresses_added_and_removed(self):
        srv = self.start({"workers": 1})
        self.wait_ready(srv, 1)
        port = srv.port
        extra = free_port()
        srv.write_config({"listen": ["127.0.0.1:0", f"127.0.0.1:{extra}"]})
        self.reload(srv, 2)
        self.assertTrue(any(line.endswith(f"listening on 127.0.0.1:{extra}")
                            for line in srv.stderr_lines()), srv.stderr_lines())
        self.assertEqual(get_on(port, "/a.txt").body, A_TXT)  # port 0 kept the port it got
        self.assertEqual(get_on(extra, "/a.txt").body, A_TXT)

        srv.write_config({"listen": ["127.0.0.1:0"]})
        # The old generation serves until the new one is ready, then closes its copies.
        self.assert_only_workers(srv, self.reload(srv, 3))
        self.assertTrue(connection_refused(extra), f"port {extra} still open after removal")
        self.assertEqual(get_on(port, "/a.txt").body, A_TXT)
        srv.stop()


class KeepAliveClient(threading.Thread):
    """Loops GETs over keep-alive connections and checks every answer byte for byte.

    The only tolerated failure (RFC 9112 section 9.3.1) is a request on a reused connection
    that fails before any byte of its response arrives: the server may close an idle
    connection at any time. Such a request is retried once on a new connection. A raw socket
    rather than http.client, because whether any response byte arrived before a reset is
    exactly the distinction the rule turns on."""

    def __init__(self, port, files, until):
        super().__init__(daemon=True)
        self.port = port
        self.files = files
        self.until = until
        self.ok = 0
        self.retries = 0
        self.errors = []
        self.sock = None
        self.used = 0  # requests already answered on self.sock

    def run(self):
        names = sorted(self.files)
        i = 0
        try:
            while time.monotonic() < self.until and len(self.errors) < 5:
                self.one(names[i % len(names)])
                i += 1
        finally:
            self.drop()

    def one(self, name):
        reused = self.sock is not None
        try:
            self.exchange(name)
            return
        except _NoResponse as e:
            if not (reused and e.reused):
                self.errors.append(f"{name}: {e} on a {'reused' if reused else 'new'} connection")
                self.drop()
                return
        except Exception as e:  # noqa: BLE001 - every other failure is a test failure
            self.errors.append(f"{name}: {type(e).__name__}: {e}")
            self.drop()
            return
        self.retries += 1
        self.drop()
        try:
            self.exchange(name)
        except Exception as e:  # noqa: BLE001
            self.errors.append(f"{name}: retry on a new connection failed: {type(e).__name__}: {e}")
            self.drop()

    def drop(self):
        if self.sock is not None:
            self.sock.close()
        self.sock, self.used = None, 0

    def exchange(self, name):
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reused = self.used > 0
        try:
            self.sock.sendall(f"GET /{name} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        except (BrokenPipeError, ConnectionResetError) as e:
            raise _NoResponse(f"send: {type(e).__name__}", reused) from e
        status, headers, body = self.read_response(reused)
        expected = self.files[name]
        if status != 200 or body != expected:
            raise AssertionError(f"status {status}, {len(body)} of {len(expected)} bytes, "
                                 f"body {'matches' if body == expected else 'differs'}")
        self.ok += 1
        self.used += 1
        if headers.get("connection", "").lower() == "close":
            self.drop()

    def read_response(self, reused):
        data = b""
        while b"\r\n\r\n" not in data:
            data += self.recv(reused, first=not data)
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "-1"))
        if length < 0:
            raise AssertionError(f"no Content-Length: {head!r}")
        while len(body) < length:
            body += self.recv(reused, first=False)
        if len(body) != length:
            raise AssertionError(f"{len(body) - length} bytes beyond Content-Length")
        return int(lines[0].split()[1]), headers, body

    def recv(self, reused, first):
        try:
            chunk = self.sock.recv(262144)
        except ConnectionResetError as e:
            if first:
                raise _NoResponse("connection reset", reused) from e
            raise AssertionError("connection reset in the middle of a response") from e
        if not chunk:
            if first:
                raise _NoResponse("connection closed", reused)
            raise AssertionError("connection closed in the middle of a response")
        return chunk


class _NoResponse(Exception):
    """The connection failed before any byte of the response arrived."""

    def __init__(self, what, reused):
        super().__init__(what)
        self.reused = reused


class ReloadUnderLoadTests(SiteTestCase):
    THREADS = 4
    DURATION = 5.0
    HUP_EVERY = 0.5

    def test_no_request_fails_while_reloading(self):
        build_tree(self.root, {"mid.bin": MID})
        files = {"a.txt": A_TXT, "index.html": INDEX, "mid.bin": MID}
        # The harness's 2 s shutdown_timeout would let the master kill a retiring worker, with
        # its connections, when a sanitizer build on a busy machine is slow to finish them: that
        # is the timeout doing its job, not a lost request. 30 s is the default.
        srv = self.start({"workers": 2, "shutdown_timeout": "30s"})
        self.wait_ready(srv, 1)
        until = time.monotonic() + self.DURATION
        clients = [KeepAliveClient(srv.port, files, until) for _ in range(self.THREADS)]
        for c in clients:
            c.start()
        reloads = 0
        while time.monotonic() + self.HUP_EVERY < until:
            time.sleep(self.HUP_EVERY)
            srv.signal(signal.SIGHUP)
            reloads += 1
        for c in clients:
            c.join(self.DURATION + 15)
        self.assertFalse(any(c.is_alive() for c in clients), "a client thread hung")
        ok = sum(c.ok for c in clients)
        retries = sum(c.retries for c in clients)
        errors = [e for c in clients for e in c.errors]
        print(f"\n  {reloads} reloads, {ok} requests answered, {retries} retried after an idle "
              f"close (RFC 9112 section 9.3.1), {len(errors)} failed", file=sys.stderr)
        self.assertEqual(errors, [], f"{len(errors)} failed requests; the server's last lines:\n"
                         + "\n".join(srv.stderr_lines()[-40:]))
        self.assertTrue(all(c.ok > 0 for c in clients), [c.ok for c in clients])

        # HUPs sent before the master has read the previous one are one pending signal (standard
        # signals do not queue; nginx coalesces them too), so a slow master — a sanitizer build
        # on a busy machine — may start fewer generations than HUPs were sent. Wait for the
        # master to settle, then check the newest generation it started.
        def newest_generation():
            found = [re.search(r"generation (\d+): starting", line) for line in srv.stderr_lines()]
            return max((int(m.group(1)) for m in found if m), default=1)
        last, deadline = newest_generation(), time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(1.0)
            if newest_generation() == last:
                break
            last = newest_generation()
        self.assertTrue(1 < last <= reloads + 1, (last, reloads))
        newest = self.wait_ready(srv, last, timeout=10)
        self.assertEqual(len(newest), 2, newest)
        # Every older generation was told to QUIT; the clients are done, so each is gone soon.
        self.assert_only_workers(srv, newest, timeout=2.0 + 3.0)
        self.assertEqual(srv.get("/a.txt").body, A_TXT)
        srv.stop()


if __name__ == "__main__":
    unittest.main()
