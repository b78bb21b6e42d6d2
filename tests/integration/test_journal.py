# SPDX-License-Identifier: MIT
"""The error log under systemd: when stderr is the stream JOURNAL_STREAM names, every line
carries a `<N>` syslog priority and no timestamp or pid of its own (journald adds those), so
`journalctl -p err` finds the errors. The journal's end of the stream is played by a Unix
stream socket, as journald's is."""

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from docroot import make_site
from learnhttpd_harness import binary_path, process_group, wait_until, worker_model

PRIORITY_LINE = re.compile(r"^<[0-7]>")


class JournalStream:
    """A running learnhttpd whose stderr is a socket; collects what it writes there."""

    def __init__(self, config, journal_stream):
        self.tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-journal-")
        self.config_path = os.path.join(self.tmp.name, "learnhttpd.yaml")
        self.write_config(config)
        self.ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        st = os.fstat(theirs.fileno())
        stream = journal_stream if journal_stream is not None else f"{st.st_dev}:{st.st_ino}"
        env = dict(os.environ, JOURNAL_STREAM=stream)
        self.proc = subprocess.Popen([binary_path(), "-c", self.config_path],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=theirs.fileno(), env=env, start_new_session=True)
        theirs.close()
        self.ours.settimeout(0.2)
        self.buffer = b""

    def write_config(self, config):
        with open(self.config_path, "w", encoding="utf-8") as f:
            json.dump(config, f)

    def lines(self):
        while True:
            try:
                data = self.ours.recv(65536)
            except socket.timeout:
                break
            if not data:
                break
            self.buffer += data
        return self.buffer.decode("utf-8", "replace").splitlines()

    def wait_for(self, pattern, timeout=5.0):
        regex = re.compile(pattern)
        return wait_until(lambda: [l for l in self.lines() if regex.search(l)], timeout)

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        for pid in process_group(self.proc.pid):
            os.kill(pid, signal.SIGKILL)
        self.proc.wait(5)
        self.ours.close()
        self.tmp.cleanup()


class JournalPriorityTests(unittest.TestCase):
    def setUp(self):
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)

    def config(self, **overrides):
        return {"listen": ["127.0.0.1:0"], "document_root": self.root, "workers": 1,
                "worker_model": worker_model(), "user": "", "pid_file": "",
                "log": {"error_log": "stderr", "access_log": "off"}, **overrides}

    def start(self, config, journal_stream=None):
        server = JournalStream(config, journal_stream)
        self.addCleanup(server.close)
        return server

    def test_lines_carry_priorities_and_no_timestamp(self):
        server = self.start(self.config())
        self.assertTrue(server.wait_for(r"generation 1 ready"), server.lines())
        listening = server.wait_for(r"listening on 127\.0\.0\.1:\d+$")
        self.assertTrue(listening, server.lines())
        self.assertTrue(listening[0].startswith("<6>listening on"), listening)

        server.write_config({"no_such_key": 1})
        os.kill(server.proc.pid, signal.SIGHUP)
        failed = server.wait_for(r"reload failed")
        self.assertTrue(failed, server.lines())
        self.assertTrue(failed[0].startswith("<3>master: reload failed"), failed)
        self.assertIn("no_such_key", failed[0])

        server.proc.send_signal(signal.SIGTERM)
        self.assertEqual(server.proc.wait(10), 0)
        lines = server.lines()
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, PRIORITY_LINE)
            self.assertNotRegex(line, r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
            self.assertNotIn(f"[{server.proc.pid}]", line)

    def test_start_failure_is_critical(self):
        server = self.start(self.config(document_root=os.path.join(self.root, "missing")))
        self.assertNotEqual(server.proc.wait(10), 0)
        lines = server.lines()
        self.assertTrue([l for l in lines if l.startswith("<2>") and "missing" in l], lines)

    def test_t_and_s_errors_are_errors(self):
        # What -t (ExecStartPre=) and -s reload (ExecReload=) print goes to the journal too.
        path = os.path.join(self.site.name, "bad.yaml")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.config(document_root=os.path.join(self.root, "missing")), f)
        for args in (["-t", "-c", path], ["-c", path, "-s", "reload"],
                     ["-c", path + ".none", "-t"]):
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            st = os.fstat(theirs.fileno())
            env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
            with ours, theirs:
                result = subprocess.run([binary_path(), *args], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=theirs.fileno(),
                                        env=env, timeout=10)
                theirs.close()
                ours.settimeout(2)
                text = ours.recv(65536).decode()
            self.assertEqual(result.returncode, 1, (args, text))
            self.assertTrue(text.startswith("<3>learnhttpd: "), (args, text))
        for line in subprocess.run([binary_path(), "-t", "-c", path], capture_output=True,
                                   text=True, timeout=10).stderr.splitlines():
            self.assertTrue(line.startswith("learnhttpd: "), line)

    def test_stream_that_is_not_stderr_keeps_plain_lines(self):
        # Inherited from a unit, but stderr was redirected since: not the journal's stream.
        with tempfile.TemporaryFile() as other:
            st = os.fstat(other.fileno())
            server = self.start(self.config(), journal_stream=f"{st.st_dev}:{st.st_ino}")
            listening = server.wait_for(r"listening on 127\.0\.0\.1:\d+$")
        self.assertTrue(listening, server.lines())
        self.assertNotRegex(listening[0], PRIORITY_LINE)
        self.assertRegex(listening[0], r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")

    def test_malformed_variable_keeps_plain_lines(self):
        server = self.start(self.config(), journal_stream="not-a-stream")
        listening = server.wait_for(r"listening on 127\.0\.0\.1:\d+$")
        self.assertTrue(listening, server.lines())
        self.assertRegex(listening[0], r"^\[\d{4}-")


if __name__ == "__main__":
    unittest.main()
