# SPDX-License-Identifier: MIT
"""-d/--daemon (double fork, pid file, stdio to /dev/null) and -s reload|reopen|stop, which
signal the master named by the pid file."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from docroot import A_TXT
from learnhttpd_harness import (
    Server, binary_path, children_of, process_gone, process_group, wait_until, worker_model)
from supervision_support import SiteTestCase, get_on

_LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)$")


class Daemon:
    """A daemonized learnhttpd: all we have is its config, pid file and error log."""

    def __init__(self, root, tmp):
        self.dir = tmp
        self.config_path = os.path.join(tmp, "learnhttpd.yaml")
        self.pid_file = os.path.join(tmp, "learnhttpd.pid")
        self.error_log = os.path.join(tmp, "error.log")
        self.config = {
            "listen": ["127.0.0.1:0"], "document_root": root, "workers": 2,
            "worker_model": worker_model(), "user": "", "pid_file": self.pid_file,
            "shutdown_timeout": "2s",
            "log": {"error_log": self.error_log, "access_log": "off"},
        }
        self.known = set()  # every pid seen, for the last-resort kill
        self.write_config()

    def write_config(self, text=None):
        with open(self.config_path, "w", encoding="utf-8") as f:
            f.write(text if text is not None else json.dumps(self.config, indent=2))

    def run(self, *args, timeout=20):
        """learnhttpd -c CONFIG ARGS...; the CompletedProcess (text output) with `pid`, the
        pid of the process this started."""
        with subprocess.Popen([binary_path(), "-c", self.config_path, *args],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=True) as proc:
            self.known.add(proc.pid)
            try:
                out, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
                raise AssertionError(f"{args} still running after {timeout}s (stdio left open?)")
        result = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        result.pid = proc.pid
        return result

    def pid(self):
        try:
            with open(self.pid_file, encoding="ascii") as f:
                pid = int(f.read().strip() or 0)
        except (FileNotFoundError, ValueError):
            return None
        if pid > 0:
            self.known.add(pid)
        return pid or None

    def log_lines(self):
        try:
            with open(self.error_log, encoding="utf-8", errors="replace") as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def port(self):
        for line in self.log_lines():
            match = _LISTENING.search(line)
            if match:
                return int(match.group(1))
        return None

    def workers(self, pid):
        found = children_of(pid)
        self.known.update(found)
        return found

    def kill(self):
        """Last resort, also when a test failed half-way: the master's process group (its
        workers share it), the pid file's process and every pid seen."""
        pid = self.pid()
        for p in sorted(self.known | ({pid} if pid else set())):
            if not process_gone(p):
                try:
                    group = os.getpgid(p)
                except ProcessLookupError:
                    continue
                if group != os.getpgrp():  # the daemon's own session, made by its setsid()
                    for member in process_group(group):
                        _kill(member)
                _kill(p)


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class DaemonTests(SiteTestCase):
    def setUp(self):
        super().setUp()
        tmp = os.path.join(self.site.name, "daemon")
        os.mkdir(tmp)
        self.daemon = Daemon(self.root, tmp)
        self.addCleanup(self.daemon.kill)  # runs before the site (and tmp) is removed

    def start_daemon(self):
        d = self.daemon
        started = time.monotonic()
        result = d.run("-d")
        self.assertEqual(result.returncode, 0, result.stderr + "\n".join(d.log_lines()))
        self.assertLess(time.monotonic() - started, 5.0, "-d did not return promptly")
        pid = wait_until(d.pid, 5.0)
        self.assertTrue(pid, "no pid file:\n" + "\n".join(d.log_lines()))
        self.assertFalse(process_gone(pid), f"pid file names {pid}, which is not running")
        self.assertNotEqual(pid, result.pid, "the pid file names the process we started")
        workers = wait_until(lambda: len(d.workers(pid)) == 2 and d.workers(pid), 5.0)
        self.assertTrue(workers, "\n".join(d.log_lines()))
        self.assertTrue(d.port(), d.log_lines())
        self.assertEqual(get_on(d.port(), "/a.txt").body, A_TXT)
        return pid, workers

    def test_daemon_and_signals(self):
        d = self.daemon
        pid, workers = self.start_daemon()
        self.assertNotEqual(_parent_of(pid), os.getpid(), "the daemon is our direct child")
        self.assertNotEqual(os.getsid(pid), pid, "a session leader can regain a terminal")
        self.assertEqual(_fd_target(pid, 0), "/dev/null")
        self.assertEqual(_fd_target(pid, 1), "/dev/null")
        self.assertEqual(_fd_target(pid, 2), "/dev/null")

        result = d.run("-s", "reload")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(wait_until(lambda: any("generation 2 ready" in line
                                               for line in d.log_lines()), 5.0), d.log_lines())
        # Generation 1's workers were told to QUIT when generation 2 became ready; they may
        # still be finishing for a moment.
        def replaced():
            now = d.workers(pid)
            return now if now and not set(now) & set(workers) else None
        new = wait_until(replaced, 5.0)
        self.assertTrue(new, (workers, d.workers(pid)))
        self.assertEqual(get_on(d.port(), "/a.txt").body, A_TXT)

        os.rename(d.error_log, d.error_log + ".1")
        result = d.run("-s", "reopen")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(wait_until(lambda: os.path.exists(d.error_log), 5.0),
                        "USR1 did not reopen the error log")

        result = d.run("-s", "stop")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(process_gone(pid), "-s stop returned with the master still running")
        self.assertTrue(wait_until(lambda: all(process_gone(p) for p in new), 3.0), new)
        self.assertFalse(os.path.exists(d.pid_file), "pid file left behind")

    def test_stop_without_master_fails(self):
        d = self.daemon
        result = d.run("-s", "stop")
        self.assertEqual(result.returncode, 1)
        self.assertIn(d.pid_file, result.stderr)
        # A stale pid file naming a process that has exited.
        gone = subprocess.Popen(["true"])
        gone.wait()
        with open(d.pid_file, "w", encoding="ascii") as f:
            f.write(f"{gone.pid}\n")
        result = d.run("-s", "stop")
        self.assertEqual(result.returncode, 1)
        self.assertIn(str(gone.pid), result.stderr)

    def test_reload_with_broken_config_leaves_master_alone(self):
        d = self.daemon
        pid, workers = self.start_daemon()
        lines = json.dumps(d.config, indent=2).splitlines()
        d.write_config("\n".join(["{", '  "no_such_setting": true,', *lines[1:]]) + "\n")
        logged = len(d.log_lines())
        result = d.run("-s", "reload")
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{d.config_path}:2:", result.stderr)
        time.sleep(0.3)  # a HUP that was sent anyway would show by now
        self.assertEqual(d.workers(pid), workers)
        self.assertFalse(any("HUP" in line for line in d.log_lines()[logged:]), d.log_lines())
        self.assertEqual(get_on(d.port(), "/a.txt").body, A_TXT)
        d.write_config()
        self.assertEqual(d.run("-s", "stop").returncode, 0)
        self.assertTrue(process_gone(pid))

    def test_relative_paths_survive_the_daemons_chdir(self):
        """-d changes to "/": -c, -r and --pid-file given relative must still name the files
        in the directory it was started from, for its reloads and for -s."""
        d = self.daemon
        os.symlink(self.root, os.path.join(d.dir, "site"))
        d.config["document_root"] = "/nonexistent/learnhttpd-root"
        d.write_config()
        with subprocess.Popen([binary_path(), "-d", "-c", "learnhttpd.yaml", "-r", "site",
                               "--pid-file", "learnhttpd.pid"], cwd=d.dir,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) as proc:
            out, err = proc.communicate(timeout=20)
        self.assertEqual(proc.returncode, 0, out + err + "\n".join(d.log_lines()))
        pid = wait_until(d.pid, 5.0)
        self.assertTrue(pid, "\n".join(d.log_lines()))
        self.assertTrue(wait_until(d.port, 5.0), d.log_lines())
        self.assertEqual(get_on(d.port(), "/a.txt").body, A_TXT)
        # From another directory, with only the pid file: the master's -c and -r are used.
        result = _control("reload", d.pid_file, cwd="/")
        self.assertEqual(result.returncode, 0, result.stderr + "\n".join(d.log_lines()))
        self.assertTrue(wait_until(lambda: any("generation 2 ready" in line
                                               for line in d.log_lines()), 5.0), d.log_lines())
        self.assertEqual(get_on(d.port(), "/a.txt").body, A_TXT)
        result = _control("stop", d.pid_file, cwd="/")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(process_gone(pid))
        self.assertEqual(os.listdir(d.dir).count("learnhttpd.pid.cmdline"), 0, os.listdir(d.dir))


class RunningMasterTests(SiteTestCase):
    """-s after `make run`: a master started in the foreground with flags over a file whose
    document root does not exist is reloaded and stopped by `-s ACTION --pid-file FILE` alone,
    from any directory."""

    def start_like_make_run(self):
        work = tempfile.mkdtemp(prefix="learnhttpd-run-")
        self.addCleanup(shutil.rmtree, work, True)
        os.symlink(self.root, os.path.join(work, "www"))
        srv = Server(self.root, config={"document_root": "/nonexistent/learnhttpd-root"},
                     args=["-r", "www", "-p", "0", "-b", "127.0.0.1", "--pid-file", "run.pid"],
                     launcher=["sh", "-c", 'cd "$0" && exec "$@"', work])
        self.addCleanup(srv.close)
        record = os.path.join(work, "run.pid.cmdline")
        self.assertTrue(wait_until(lambda: os.path.exists(record), 5.0), srv.stderr_lines())
        return srv, work

    def test_reload_and_stop_with_the_pid_file_alone(self):
        srv, work = self.start_like_make_run()
        pid_file = os.path.join(work, "run.pid")
        with open(pid_file + ".cmdline", "rb") as f:
            fields = f.read().split(b"\0")
        self.assertEqual(fields[:3], [b"learnhttpd-start 1", str(srv.pid).encode(),
                                      work.encode()])
        self.assertIn(os.path.join(work, "www").encode(), fields)
        result = _control("reload", pid_file, cwd="/")
        self.assertEqual(result.returncode, 0, result.stderr)
        srv.wait_for_log(r"generation 2 ready")
        self.assertEqual(srv.get("/a.txt").body, A_TXT)
        # The check runs on the master's file: a broken one is refused, naming that file.
        srv.write_config({"no_such_key": 1})
        result = _control("reload", pid_file, cwd="/")
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{srv.config_path}:", result.stderr)
        self.assertIn("no_such_key", result.stderr)
        del srv.config["no_such_key"]
        srv.write_config()
        result = _control("stop", pid_file, cwd="/")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(process_gone(srv.pid))
        self.assertEqual(sorted(os.listdir(work)), ["www"], "pid file or start record left")

    def test_a_record_someone_else_could_have_written_is_refused(self):
        srv, work = self.start_like_make_run()
        pid_file = os.path.join(work, "run.pid")
        record = pid_file + ".cmdline"
        os.chmod(record, 0o664)
        result = _control("reload", pid_file)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{record}: is writable by other users", result.stderr)
        os.chmod(record, 0o644)
        planted = os.path.join(work, "planted")
        os.rename(record, planted)
        os.symlink(planted, record)
        result = _control("reload", pid_file)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{record}: is a symbolic link", result.stderr)
        os.unlink(record)
        os.rename(planted, record)
        if os.geteuid() == 0:
            os.chown(record, 65534, 65534)
            result = _control("reload", pid_file)
            self.assertEqual(result.returncode, 1)
            self.assertIn(f"{record}: belongs to uid 65534, not to uid 0", result.stderr)
            os.chown(record, 0, 0)
        result = _control("reload", pid_file)
        self.assertEqual(result.returncode, 0, result.stderr)


def _control(action, pid_file, cwd=None):
    """learnhttpd -s ACTION --pid-file PID_FILE, without $MAINPID."""
    env = {k: v for k, v in os.environ.items() if k != "MAINPID"}
    return subprocess.run([binary_path(), "-s", action, "--pid-file", pid_file], cwd=cwd,
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=30)


class DaemonLogTargetTests(SiteTestCase):
    """-d points stdout and stderr at /dev/null: a log there would be thrown away, silently.
    Before, `learnhttpd -d` with the default `error_log: stderr` started and lost every error.
    Now -t and a start refuse it, naming the key -- unless the stream is systemd's journal,
    which the daemon keeps."""

    def setUp(self):
        super().setUp()
        tmp = os.path.join(self.site.name, "daemon")
        os.mkdir(tmp)
        self.daemon = Daemon(self.root, tmp)
        self.addCleanup(self.daemon.kill)

    def test_error_log_on_stderr_is_refused_with_d(self):
        d = self.daemon
        for target in ("stderr", "stdout"):
            d.config["log"] = {"error_log": target, "access_log": "off"}
            d.write_config()
            for args in (("-t", "-d"), ("-d",)):
                with self.subTest(target=target, args=args):
                    result = d.run(*args)
                    self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
                    self.assertIn(f"log.error_log: {target} with -d", result.stderr)
                    self.assertIn("/dev/null", result.stderr)
                    self.assertIsNone(d.pid(), "a daemon started")
            self.assertEqual(d.run("-t").returncode, 0, "in the foreground it is fine")

    def test_access_log_on_stdout_is_refused_unless_quiet(self):
        d = self.daemon
        d.config["log"] = {"error_log": d.error_log, "access_log": "stdout"}
        d.write_config()
        result = d.run("-t", "-d")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("log.access_log: stdout with -d", result.stderr)
        result = d.run("-t", "-d", "-q")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_the_journal_stays_the_error_log_of_a_daemon(self):
        d = self.daemon
        d.config["log"] = {"error_log": "stderr", "access_log": "off"}
        d.write_config()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(ours.close)
        st = os.fstat(theirs.fileno())
        env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
        with subprocess.Popen([binary_path(), "-c", d.config_path, "-d"], env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=theirs.fileno(), start_new_session=True) as proc:
            d.known.add(proc.pid)
            theirs.close()
            self.assertEqual(proc.wait(10), 0)
        pid = wait_until(d.pid, 5.0)
        self.assertTrue(pid, "no pid file")
        ours.settimeout(0.2)
        text = b""
        def ready():
            nonlocal text
            try:
                text += ours.recv(65536)
            except socket.timeout:
                pass
            return b"generation 1 ready" in text
        self.assertTrue(wait_until(ready, 5.0), text)
        self.assertIn(b"<6>", text)  # journald's priorities, no timestamps of our own
        self.assertNotEqual(_fd_target(pid, 2), "/dev/null")
        self.assertEqual(_fd_target(pid, 1), "/dev/null")
        self.assertEqual(d.run("-s", "stop").returncode, 0)


def _parent_of(pid):
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
        text = f.read()
    return int(text[text.rindex(")") + 2:].split()[1])


def _fd_target(pid, fd):
    try:
        return os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError:
        return None


if __name__ == "__main__":
    unittest.main()
