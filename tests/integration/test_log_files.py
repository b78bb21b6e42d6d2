# SPDX-License-Identifier: MIT
"""Log files and the root master (the class of nginx's CVE-2016-1247).

The master runs as root and (re)opens log files on start, USR1 and HUP. A log directory that an
unprivileged user can write (here: owned by `nobody`, the workers' user) must not let that user
point a log name at a root-owned file and have the master write to it or hand it over. And a
log path whose directory is missing is a clear error, at start and on reload, never a directory
the master creates."""

import grp
import os
import pwd
import re
import shlex
import signal
import stat
import subprocess
import tempfile
import time
import unittest

from docroot import A_TXT, make_site
from learnhttpd_harness import Server, ServerError, binary_path, wait_until, worker_model

IS_ROOT = os.geteuid() == 0
LISTENING = re.compile(r"listening on (\S+):(\d+)\s*$")
PRECIOUS = b"root:only:this content must never change\n"


def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


class FileLogServer(Server):
    """A Server whose error log is a file: start-up is seen in that file, not on stderr."""

    def __init__(self, document_root, error_log, **kwargs):
        self.error_log = error_log
        self.skip = 0
        self.skip = len(self.log_text())  # a restart appends to the files of the one before
        super().__init__(document_root, **kwargs)

    def _await_listening(self):
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            for line in self.log_text().splitlines():
                match = LISTENING.search(line)
                if match:
                    self.host, self.port = match.group(1), int(match.group(2))
                    return
            if self.proc.poll() is not None:
                self._join_drains()  # the exit can be seen before stderr is read to its end
                raise ServerError(f"server exited with {self.proc.returncode}:\n"
                                  + "\n".join(self.stderr_lines()) + self.log_text())
            time.sleep(0.02)
        raise ServerError("no 'listening on' line in the error log:\n" + self.log_text())

    def log_text(self):
        """Every error log file in the log directory (current and rotated), never a symlink."""
        folder = os.path.dirname(self.error_log)
        base = os.path.basename(self.error_log)
        text = ""
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if name.startswith(base) and not os.path.islink(path) and os.path.isfile(path):
                text += read_bytes(path).decode("utf-8", "replace")
        return text[self.skip:]

    def wait_for_text(self, pattern, timeout=5.0):
        regex = re.compile(pattern)
        return wait_until(lambda: regex.search(self.log_text()), timeout)


class MissingDirectoryTests(unittest.TestCase):
    """Runs as any user."""

    def setUp(self):
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)
        self.missing = os.path.join(self.site.name, "no-such-dir")

    def run_server(self, log):
        config = os.path.join(self.site.name, "bad.yaml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f'listen: ["127.0.0.1:0"]\ndocument_root: {self.root}\nworkers: 1\n'
                    f'worker_model: {worker_model()}\nuser: ""\npid_file: ""\n'
                    f'log: {{ {log} }}\n')
        proc = subprocess.Popen([binary_path(), "-c", config], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            _, stderr = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            _, stderr = proc.communicate()
            self.fail("the server started with its log in a missing directory:\n"
                      + stderr.decode("utf-8", "replace"))
        return proc.returncode, stderr.decode("utf-8", "replace")

    def assert_refused(self, log, path):
        returncode, stderr = self.run_server(log)
        self.assertNotEqual(returncode, 0, stderr)
        self.assertIn(path, stderr)
        self.assertRegex(stderr, r"does not exist|No such file")
        self.assertFalse(os.path.exists(self.missing), "the server created the log directory")

    def test_error_log_in_missing_directory_is_a_start_error(self):
        path = os.path.join(self.missing, "error.log")
        self.assert_refused(f"error_log: {path}, access_log: off", path)

    def test_access_log_in_missing_directory_is_a_start_error(self):
        path = os.path.join(self.missing, "access.log")
        self.assert_refused(f"error_log: stderr, access_log: {path}", path)

    def test_reload_into_a_missing_directory_keeps_the_old_generation(self):
        srv = Server(self.root, config={"workers": 1})
        self.addCleanup(srv.close)
        self.assertTrue(srv.wait_for_log(r"generation 1 ready", 5.0))
        for key in ("access_log", "error_log"):
            with self.subTest(key=key):
                path = os.path.join(self.missing, f"{key}.log")
                mark = srv.log_mark()
                srv.write_config({"log": {key: path}})
                srv.signal(signal.SIGHUP)
                failed = srv.wait_for_log(r"reload failed.*" + re.escape(path), 5.0, mark)
                self.assertTrue(failed, srv.stderr_lines()[mark:])
                self.assertFalse(os.path.exists(self.missing), "reload created the directory")
                self.assertEqual(srv.get("/a.txt").body, A_TXT)
                srv.write_config({"log": {key: "stderr" if key == "error_log" else "off"}})
        srv.stop()


@unittest.skipUnless(IS_ROOT, "the attack needs a root master and an unprivileged user")
class SymlinkAttackTests(unittest.TestCase):
    """The log directory belongs to `nobody`, the workers' user; `nobody` is the attacker."""

    def setUp(self):
        self.nobody = pwd.getpwnam("nobody")
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)
        os.chmod(self.site.name, 0o755)  # temp dirs start 0700; nobody must reach www/ and logs/
        self.logs = os.path.join(self.site.name, "logs")
        os.mkdir(self.logs, 0o755)
        os.chown(self.logs, self.nobody.pw_uid, self.nobody.pw_gid)
        self.error_log = os.path.join(self.logs, "error.log")
        self.access_log = os.path.join(self.logs, "access.log")
        self.precious = os.path.join(self.site.name, "precious")  # think /etc/shadow
        with open(self.precious, "wb") as f:
            f.write(PRECIOUS)
        os.chown(self.precious, 0, 0)
        os.chmod(self.precious, 0o640)
        self.before = self.fingerprint()

    def fingerprint(self):
        st = os.lstat(self.precious)
        return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode), st.st_nlink, read_bytes(self.precious)

    def start(self):
        srv = FileLogServer(self.root, self.error_log, config={
            "workers": 2, "user": "nobody",
            "log": {"error_log": self.error_log, "access_log": self.access_log}})
        self.addCleanup(srv.close)
        self.assertTrue(srv.wait_for_text(r"generation 1 ready"), srv.log_text())
        return srv

    def as_nobody(self, script):
        """Runs the shell `script` as nobody (the attacker), in the log directory."""
        subprocess.run(["/bin/sh", "-ec", script], cwd=self.logs, check=True, timeout=20,
                       user=self.nobody.pw_uid, group=self.nobody.pw_gid, extra_groups=[])

    def plant_symlinks(self):
        target = shlex.quote(self.precious)
        self.as_nobody(f"for name in error.log access.log; do mv $name $name.1; "
                       f"ln -s {target} $name; done")

    def assert_untouched(self, srv):
        self.assertEqual(self.fingerprint(), self.before,
                         "the root-owned target was changed through the log symlink")
        self.assertEqual(srv.get("/a.txt").body, A_TXT)

    def test_files_are_handed_to_the_workers_user(self):
        srv = self.start()
        srv.get("/a.txt")
        for path in (self.error_log, self.access_log):
            st = os.lstat(path)
            self.assertTrue(stat.S_ISREG(st.st_mode), path)
            self.assertEqual(st.st_uid, self.nobody.pw_uid, path)
        # logrotate without "create": the master makes the new files, the workers reopen them.
        for path in (self.error_log, self.access_log):
            os.rename(path, path + ".1")
        srv.signal(signal.SIGUSR1)
        self.assertTrue(wait_until(lambda: os.path.exists(self.access_log)
                                   and os.path.exists(self.error_log), 5.0))
        self.assertEqual(os.lstat(self.access_log).st_uid, self.nobody.pw_uid)
        self.assertTrue(wait_until(lambda: (srv.get("/a.txt?after"), b"?after" in read_bytes(
            self.access_log))[1], 5.0), read_bytes(self.access_log))
        srv.stop()

    def test_usr1_does_not_follow_a_planted_symlink(self):
        srv = self.start()
        self.plant_symlinks()
        srv.signal(signal.SIGUSR1)
        refused = srv.wait_for_text(r"error\.log.*symbolic link")
        self.assert_untouched(srv)
        self.assertTrue(refused, srv.log_text())
        srv.signal(signal.SIGUSR1)  # again, as logrotate would the next night
        srv.get("/a.txt?again")
        self.assert_untouched(srv)
        srv.stop()
        self.assert_untouched_after_stop()

    def test_hup_does_not_follow_a_planted_symlink(self):
        srv = self.start()
        self.plant_symlinks()
        srv.signal(signal.SIGHUP)
        failed = srv.wait_for_text(r"reload failed.*symbolic link")
        self.assert_untouched(srv)
        self.assertTrue(failed, srv.log_text())
        srv.stop()
        self.assert_untouched_after_stop()

    def test_planted_hard_link_is_refused(self):
        # Where fs.protected_hardlinks is off, the attacker can link a root file into the dir;
        # root makes the link here, with the same effect.
        srv = self.start()
        os.rename(self.error_log, self.error_log + ".1")
        os.link(self.precious, self.error_log)
        self.before = self.fingerprint()  # the link count is now 2
        srv.signal(signal.SIGUSR1)
        refused = srv.wait_for_text(r"error\.log.*hard link")
        self.assert_untouched(srv)
        self.assertTrue(refused, srv.log_text())
        srv.stop()

    def test_start_refuses_a_planted_symlink(self):
        self.as_nobody(f"ln -s {shlex.quote(self.precious)} error.log")
        with self.assertRaises(ServerError) as caught:
            self.start()
        self.assertIn("symbolic link", str(caught.exception))
        self.assertEqual(self.fingerprint(), self.before)

    def assert_untouched_after_stop(self):
        self.assertEqual(self.fingerprint(), self.before)



@unittest.skipUnless(IS_ROOT, "handing log files to the workers' user needs a root master")
class LogDirectoryKindsTests(unittest.TestCase):
    """One rule for a log directory at start, HUP, USR1, -t and a restart, as root with
    `user: www-data`: a directory only root (or the workers' user) can write is used; one that
    other users can write (0777, 1777, a non-root group's 0775, another user's) is refused
    everywhere with a message that says how to fix it. Before, such a directory was accepted at
    start, the files were handed to www-data, and every later reload or restart refused them."""

    USER = "www-data"

    def setUp(self):
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)
        os.chmod(self.site.name, 0o755)  # temp dirs start 0700; www-data must reach www/
        self.logs = os.path.join(self.site.name, "logs")
        os.mkdir(self.logs)
        self.error_log = os.path.join(self.logs, "error.log")
        self.access_log = os.path.join(self.logs, "access.log")
        self.config = os.path.join(self.site.name, "learnhttpd.yaml")

    def make_logs(self, mode, owner="root", group="root"):
        os.chown(self.logs, pwd.getpwnam(owner).pw_uid, grp.getgrnam(group).gr_gid)
        os.chmod(self.logs, mode)

    def start(self):
        srv = FileLogServer(self.root, self.error_log, config={
            "workers": 1, "user": self.USER,
            "log": {"error_log": self.error_log, "access_log": self.access_log}})
        self.addCleanup(srv.close)
        self.assertTrue(srv.wait_for_text(r"generation 1 ready"), srv.log_text())
        return srv

    def run_binary(self, *args):
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(f'listen: ["127.0.0.1:0"]\ndocument_root: {self.root}\nworkers: 1\n'
                    f'worker_model: {worker_model()}\nuser: {self.USER}\npid_file: ""\n'
                    f'log: {{ error_log: {self.error_log}, access_log: {self.access_log} }}\n')
        proc = subprocess.Popen([binary_path(), "-c", self.config, *args],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            self.fail("the server started with its logs in a directory other users can write")
        return proc.returncode, (out + err).decode("utf-8", "replace")

    def assert_explains(self, text, who):
        self.assertIn(self.logs, text)
        self.assertIn(who, text)
        self.assertIn("chown root:adm", text)  # says how to fix it: the Debian layout
        self.assertIn("chmod 0755", text)

    def test_trusted_directory_keeps_working_after_hup_usr1_and_restart(self):
        for owner, group, mode in (("root", "root", 0o755), ("root", "adm", 0o755),
                                   (self.USER, "adm", 0o755)):
            with self.subTest(owner=owner, group=group, mode=oct(mode)):
                for name in os.listdir(self.logs):
                    os.unlink(os.path.join(self.logs, name))
                self.make_logs(mode, owner, group)
                self.assertEqual(self.run_binary("-t")[0], 0, self.run_binary("-t")[1])
                srv = self.start()
                mark = len(srv.log_text())
                srv.signal(signal.SIGHUP)
                self.assertTrue(srv.wait_for_text(r"generation 2 ready"), srv.log_text()[mark:])
                srv.signal(signal.SIGUSR1)
                self.assertTrue(srv.wait_for_text(r"USR1 received"), srv.log_text()[mark:])
                srv.get("/a.txt?after-usr1")
                self.assertTrue(wait_until(
                    lambda: b"after-usr1" in read_bytes(self.access_log), 5.0))
                srv.stop()
                self.assertNotRegex(srv.log_text()[mark:], r"\[(error|critical)\]")
                again = self.start()  # the files now belong to www-data
                self.assertEqual(again.get("/a.txt").body, A_TXT)
                again.stop()

    def test_directory_other_users_can_write_is_refused_at_start_and_by_t(self):
        cases = (("root", "root", 0o777, "every user"), ("root", "root", 0o1777, "every user"),
                 ("root", "adm", 0o775, "group adm"), ("nobody", "root", 0o755, "nobody"))
        for owner, group, mode, who in cases:
            with self.subTest(owner=owner, group=group, mode=oct(mode)):
                self.make_logs(mode, owner, group)
                code, text = self.run_binary("-t")
                self.assertEqual(code, 1, text)
                self.assert_explains(text, who)
                code, text = self.run_binary()
                self.assertNotEqual(code, 0, text)
                self.assert_explains(text, who)
                self.assertEqual(os.listdir(self.logs), [], "a refused directory got files")

    def test_directory_the_workers_cannot_enter_is_refused_at_start_and_by_t(self):
        # root:adm 0750: the master can write there, but a worker (www-data, not in adm) could
        # not reopen its log after logrotate. -t used to accept it; the start then failed.
        self.make_logs(0o750, "root", "adm")
        for args in (("-t",), ()):
            with self.subTest(args=args):
                code, text = self.run_binary(*args)
                self.assertNotEqual(code, 0, text)
                self.assertIn(self.error_log, text)
                self.assertIn("as user www-data", text)
                self.assertEqual(os.listdir(self.logs), [], "a refused directory got files")

    def test_directory_opened_to_others_later_is_refused_by_hup_and_usr1(self):
        self.make_logs(0o755)
        srv = self.start()
        os.chmod(self.logs, 0o1777)
        mark = len(srv.log_text())
        srv.signal(signal.SIGHUP)
        self.assertTrue(srv.wait_for_text(r"reload failed.*every user"), srv.log_text()[mark:])
        self.assert_explains(srv.log_text()[mark:], "every user")
        srv.signal(signal.SIGUSR1)
        self.assertTrue(wait_until(lambda: srv.log_text()[mark:].count("every user") >= 2, 5.0),
                        srv.log_text()[mark:])
        # The old files stay in use: nothing is lost.
        srv.get("/a.txt?still-logged")
        self.assertTrue(wait_until(lambda: b"still-logged" in read_bytes(self.access_log), 5.0))
        srv.stop()

if __name__ == "__main__":
    unittest.main()
