# SPDX-License-Identifier: MIT
"""`-t` checks what a start would trip over (user, document root as the workers' user, log
directories, symlinked log files), and `-s reload` runs the same checks first so that a reload
that cannot work fails at once with the reason. Under systemd `-s` finds the master by
$MAINPID, so reload works with `pid_file: ""`."""

import json
import os
import pwd
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from learnhttpd_harness import binary_path, process_gone, worker_model
from supervision_support import SiteTestCase


def run(*args, env=None, timeout=20):
    return subprocess.run([binary_path(), *args], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout, env=env)


def nobody_exists():
    try:
        pwd.getpwnam("nobody")
        return True
    except KeyError:
        return False


class TestConfigChecks(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-preflight-")
        self.addCleanup(self.tmp.cleanup)
        self.root = os.path.join(self.tmp.name, "www")
        os.mkdir(self.root)

    def check(self, **overrides):
        config = {"listen": ["127.0.0.1:0"], "document_root": self.root, "user": "",
                  "worker_model": worker_model(), "pid_file": "",
                  "log": {"error_log": "stderr", "access_log": "off"}}
        for key, value in overrides.items():
            if key == "log":
                config["log"].update(value)
            else:
                config[key] = value
        path = os.path.join(self.tmp.name, "conf.yaml")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(config, f)
        return path, run("-t", "-c", path)

    def assertRefused(self, result, path, *fragments):
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertNotIn("configuration ok", result.stdout)
        self.assertIn(path, result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)

    def test_ok_with_log_files_in_existing_directories(self):
        logs = os.path.join(self.tmp.name, "logs")
        os.mkdir(logs)
        _, result = self.check(log={"error_log": f"{logs}/error.log",
                                    "access_log": f"{logs}/access.log"})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("configuration ok", result.stdout)
        self.assertEqual(os.listdir(logs), [], "-t must not create log files")

    def test_missing_document_root(self):
        missing = os.path.join(self.tmp.name, "nowhere")
        path, result = self.check(document_root=missing)
        self.assertRefused(result, path, "document_root", missing, "No such file or directory")

    def test_document_root_that_is_a_file(self):
        file = os.path.join(self.tmp.name, "file")
        open(file, "w").close()
        path, result = self.check(document_root=file)
        self.assertRefused(result, path, "document_root", "Not a directory")

    def test_unknown_user(self):
        path, result = self.check(user="no-such-user-learnhttpd")
        self.assertRefused(result, path, "user 'no-such-user-learnhttpd' does not exist")

    @unittest.skipUnless(os.geteuid() == 0 and nobody_exists(), "needs root and user nobody")
    def test_document_root_the_workers_user_cannot_search(self):
        os.chmod(self.tmp.name, 0o755)
        os.chmod(self.root, 0o700)  # root's own: fine for the master, not for nobody
        path, result = self.check(user="nobody")
        self.assertRefused(result, path, "document_root", "Permission denied", "as user nobody")
        os.chmod(self.root, 0o755)
        _, result = self.check(user="nobody")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_log_in_missing_directory(self):
        for key in ("error_log", "access_log"):
            with self.subTest(key=key):
                log = os.path.join(self.tmp.name, "no-dir", "x.log")
                path, result = self.check(log={key: log})
                self.assertRefused(result, path, key, log, "does not exist")
                self.assertFalse(os.path.exists(os.path.dirname(log)), "-t created the directory")

    @unittest.skipUnless(os.geteuid() == 0 and nobody_exists(), "needs root and user nobody")
    def test_log_file_planted_as_symlink_where_the_workers_can_write(self):
        # The rules of log_file.hpp: in a directory the workers' user can write, a symlink in
        # place of a log file is that user's doing and is refused (and -t says so).
        logs = os.path.join(self.tmp.name, "logs")
        os.mkdir(logs)
        os.chmod(self.tmp.name, 0o755)
        nobody = pwd.getpwnam("nobody")
        os.chown(logs, nobody.pw_uid, nobody.pw_gid)
        target = os.path.join(self.tmp.name, "precious")
        with open(target, "w") as f:
            f.write("keep me")
        link = os.path.join(logs, "access.log")
        os.symlink(target, link)
        path, result = self.check(user="nobody", log={"access_log": link})
        self.assertRefused(result, path, "access_log", "symbolic link")
        with open(target) as f:
            self.assertEqual(f.read(), "keep me")

    def test_log_directory_every_user_can_write_is_refused(self):
        logs = os.path.join(self.tmp.name, "logs")
        os.mkdir(logs)
        os.chmod(logs, 0o1777)
        log = os.path.join(logs, "access.log")
        path, result = self.check(log={"access_log": log})
        self.assertRefused(result, path, "access_log", log, "can be written by every user",
                           "chmod 0755")
        self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)

    def test_access_log_is_not_checked_in_quiet_mode(self):
        # A start never opens it then (-q), so -t does not refuse it either.
        log = os.path.join(self.tmp.name, "no-dir", "access.log")
        _, result = self.check(log={"access_log": log, "quiet": True})
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_every_problem_is_reported(self):
        path, result = self.check(document_root=os.path.join(self.tmp.name, "nowhere"),
                                  log={"error_log": "/nonexistent-dir/e.log",
                                       "access_log": "/nonexistent-dir/a.log"})
        self.assertRefused(result, path, "document_root", "error_log", "access_log")
        self.assertEqual(len(result.stderr.splitlines()), 3, result.stderr)


def start_verdict(config_path, timeout=10.0):
    """Starts the server on `config_path` and returns (started, stderr): True once its first
    generation is ready (then it is stopped again), False when it exits first."""
    proc = subprocess.Popen([binary_path(), "-c", config_path], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    lines = []
    ready = threading.Event()

    def drain():
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            if "generation 1 ready" in line:
                ready.set()
        ready.set()  # stderr closed: the process is gone

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    ready.wait(timeout)
    started = any("generation 1 ready" in line for line in lines)
    try:
        os.killpg(proc.pid, signal.SIGTERM if started else signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    reader.join(5)
    return started, "\n".join(lines)


class TestAgreesWithStart(unittest.TestCase):
    """-t and a real start on the same configurations give the same verdict, and a refusal the
    same reason: they run one check (master/preflight). Before, -t refused a document root
    under a 0700 directory that a start served (the master opens the root, the workers
    inherit it), and accepted log directories and error pages a start then tripped over."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-agree-")
        self.addCleanup(self.tmp.cleanup)
        os.chmod(self.tmp.name, 0o755)
        self.root = os.path.join(self.tmp.name, "www")
        os.mkdir(self.root)
        with open(os.path.join(self.root, "index.html"), "w") as f:
            f.write("hello")
        self.root_user = os.geteuid() == 0 and nobody_exists()

    def write(self, overrides):
        config = {"listen": ["127.0.0.1:0"], "document_root": self.root, "user": "",
                  "worker_model": worker_model(), "workers": 1, "pid_file": "",
                  "log": {"error_log": "stderr", "access_log": "off"}}
        for key, value in overrides.items():
            if key == "log":
                config["log"] = dict(config["log"], **value)
            else:
                config[key] = value
        path = os.path.join(self.tmp.name, "conf.yaml")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(config, f)
        return path

    def cases(self):
        """(name, overrides, expected to start) -- prepared in self.tmp."""
        tmp = self.tmp.name
        yield "plain", {}, True
        yield "missing root", {"document_root": os.path.join(tmp, "nowhere")}, False
        file = os.path.join(tmp, "file")
        open(file, "w").close()
        yield "root is a file", {"document_root": file}, False
        yield "unknown user", {"user": "no-such-user-learnhttpd"}, False
        yield "log in a missing directory", {"log": {"error_log": f"{tmp}/none/e.log"}}, False
        open_logs = os.path.join(tmp, "open-logs")
        os.mkdir(open_logs)
        os.chmod(open_logs, 0o777)
        yield "log where every user writes", {"log": {"access_log": f"{open_logs}/a.log"}}, False
        yield "quiet: the access log is never opened", {
            "log": {"access_log": f"{tmp}/none/a.log", "quiet": True}}, True
        yield "missing error page", {"error_pages": {"404": "/missing.html"}}, True
        yield "pid file in a missing directory", {"pid_file": f"{tmp}/none/x.pid"}, True
        yield "address not on this host", {"listen": ["192.0.2.1:0"]}, False
        yield "TLS without its files", {"listen": ["127.0.0.1:0 ssl"],
                                        "tls": {"certificate": f"{tmp}/none.pem",
                                                "key": f"{tmp}/none.key"}}, False
        if not self.root_user:
            return
        # The case: the root inside a directory only root can enter.
        private = os.path.join(tmp, "private")
        os.mkdir(private, 0o700)
        inner = os.path.join(private, "www")
        os.mkdir(inner, 0o755)
        with open(os.path.join(inner, "index.html"), "w") as f:
            f.write("hello")
        yield "root under a 0700 directory", {"document_root": inner, "user": "nobody"}, True
        closed = os.path.join(tmp, "closed")
        os.mkdir(closed, 0o700)
        yield "root the workers cannot search", {"document_root": closed, "user": "nobody"}, False
        logs = os.path.join(tmp, "adm-logs")
        os.mkdir(logs, 0o750)
        os.chown(logs, 0, 4)  # root:adm 0750: nobody is not in adm
        yield "log directory the workers cannot enter", {
            "user": "nobody", "log": {"error_log": f"{logs}/e.log"}}, False

    def test_t_and_start_agree(self):
        for name, overrides, expected in self.cases():
            with self.subTest(case=name):
                path = self.write(overrides)
                checked = run("-t", "-c", path)
                started, text = start_verdict(path)
                self.assertEqual(checked.returncode == 0, expected, checked.stdout + checked.stderr)
                self.assertEqual(started, expected, text)
                # A refusal: the start says what -t said.
                for line in checked.stderr.splitlines():
                    self.assertIn(line.split(": ", 2)[-1], text)
                # A warning of -t is logged by the start too.
                for line in checked.stdout.splitlines():
                    if line.startswith("learnhttpd: warning: "):
                        self.assertIn(line[len("learnhttpd: warning: "):], text)


class ReloadChecks(SiteTestCase):
    def test_reload_with_a_missing_root_fails_at_once(self):
        srv = self.start({"workers": 1})
        self.wait_ready(srv, 1)
        missing = os.path.join(self.site.name, "gone")
        srv.write_config({"document_root": missing})
        started = time.monotonic()
        result = run("-c", srv.config_path, "-s", "reload")
        elapsed = time.monotonic() - started
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn(missing, result.stderr)
        self.assertLess(elapsed, 3.0, "the reload failure took as long as a timeout")
        self.assertFalse(srv.wait_for_log(r"HUP received", 0.5), "the master was signalled")
        self.assertEqual(srv.get("/a.txt").status, 200)

    def test_reload_by_mainpid_without_pid_file(self):
        srv = self.start({"workers": 1, "pid_file": ""})
        self.wait_ready(srv, 1)
        env = dict(os.environ, MAINPID=str(srv.pid))
        result = run("-c", srv.config_path, "-s", "reload", env=env)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.wait_ready(srv, 2)
        self.assertEqual(srv.get("/a.txt").status, 200)

    def test_mainpid_of_another_program_is_refused(self):
        other = subprocess.Popen(["sleep", "30"])
        self.addCleanup(other.wait)
        self.addCleanup(other.kill)
        srv = self.start({"workers": 1, "pid_file": ""})
        env = dict(os.environ, MAINPID=str(other.pid))
        result = run("-c", srv.config_path, "-s", "reopen", env=env)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"MAINPID {other.pid} is not a learnhttpd process", result.stderr)
        time.sleep(0.2)
        self.assertFalse(process_gone(other.pid), "the other program was signalled")
        for bad in ("12abc", "-1", "0"):
            result = run("-c", srv.config_path, "-s", "reopen", env=dict(os.environ, MAINPID=bad))
            self.assertEqual(result.returncode, 1, bad)
            self.assertIn("is not a process id", result.stderr)


if __name__ == "__main__":
    unittest.main()
