# SPDX-License-Identifier: MIT
"""The command line: -t, -V, -h, bad flags and values, bad configs, and flags overriding the file."""

import os
import subprocess
import tempfile
import unittest

from docroot import A_TXT, make_site
from learnhttpd_harness import Server, binary_path, worker_model


def run(*args, timeout=10):
    return subprocess.run([binary_path(), *args], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)


class CliTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-cli-")
        self.addCleanup(self.tmp.cleanup)

    def write_config(self, text):
        path = os.path.join(self.tmp.name, "conf.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def valid_yaml(self, extra=""):
        return (f'listen: ["127.0.0.1:0"]\n'
                f'document_root: "{self.tmp.name}"\n'
                f'user: ""\n'
                f'worker_model: {worker_model()}\n'
                f'pid_file: "{self.tmp.name}/pid"\n'
                f'keepalive_timeout: 75s\n'
                f'max_header_bytes: 16k\n'
                f'log: {{error_log: stderr, access_log: "off"}}\n'
                + extra)

    def assertOneErrorLine(self, result, *fragments):
        lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, lines)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])

    def test_t_accepts_valid_config(self):
        result = run("-t", "-c", self.write_config(self.valid_yaml()))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("configuration ok", (result.stdout + result.stderr).lower())

    def test_t_accepts_every_documented_key(self):
        extra = ('index: index.html\nmissing_index_status: 403\nworkers: 2\nthreads: 4\n'
                 'max_connections: 100\nkeepalive_requests: 10\nheader_timeout: 500ms\n'
                 'send_timeout: 10s\nshutdown_timeout: 1s\nworker_timeout: 5s\n'
                 'mime_types: {".foo": application/x-foo}\n')
        result = run("-t", "-c", self.write_config(self.valid_yaml(extra)))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_t_unknown_key_names_file_line_key(self):
        path = self.write_config(self.valid_yaml("bogus_key: 1\n"))  # line 9
        result = run("-t", "-c", path)
        self.assertEqual(result.returncode, 1)
        self.assertOneErrorLine(result, f"{path}:9:", "bogus_key")

    def test_t_bad_value_names_file_line_key(self):
        path = self.write_config(self.valid_yaml().replace("keepalive_timeout: 75s",
                                                           "keepalive_timeout: soon"))
        result = run("-t", "-c", path)
        self.assertEqual(result.returncode, 1)
        self.assertOneErrorLine(result, f"{path}:6:", "keepalive_timeout")

    def test_t_rejects_bad_values(self):
        for line in ("missing_index_status: 500", "workers: -1", "max_header_bytes: lots",
                     "worker_model: forking", 'listen: ["127.0.0.1:99999"]', "listen: [nope]"):
            with self.subTest(line=line):
                path = self.write_config(self.valid_yaml(line + "\n"))
                result = run("-t", "-c", path)
                self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
                self.assertOneErrorLine(result, f"{path}:")

    def test_t_yaml_syntax_error(self):
        path = self.write_config(self.valid_yaml("listen: [unclosed\n"))
        result = run("-t", "-c", path)
        self.assertEqual(result.returncode, 1)
        self.assertOneErrorLine(result, path)

    def test_t_follows_include(self):
        confd = os.path.join(self.tmp.name, "conf.d")
        os.mkdir(confd)
        with open(os.path.join(confd, "10-workers.yaml"), "w", encoding="utf-8") as f:
            f.write("workers: 3\n")
        main = self.write_config(self.valid_yaml("include: conf.d/*.yaml\n"))
        result = run("-t", "-c", main)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(f"{main}: configuration ok", result.stdout)
        bad = os.path.join(confd, "20-bad.yaml")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("# tuning\nheader_timeout: soon\n")
        result = run("-t", "-c", main)
        self.assertEqual(result.returncode, 1)
        self.assertOneErrorLine(result, f"{bad}:2: header_timeout: expected a duration")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("max_header_bytes: 8k\n")  # also set by the main file
        result = run("-t", "-c", main)
        self.assertEqual(result.returncode, 1)
        self.assertOneErrorLine(result, f"{bad}:1: duplicate key 'max_header_bytes', already "
                                        f"set at {main}:7")
        os.unlink(bad)
        main = self.write_config(self.valid_yaml("include: [conf.d/*.yaml, missing.yaml]\n"))
        result = run("-t", "-c", main)
        self.assertEqual(result.returncode, 1)
        self.assertOneErrorLine(result, f"{main}:9: include: {self.tmp.name}/missing.yaml: "
                                        "cannot read: No such file or directory")

    def test_t_missing_config_file(self):
        path = os.path.join(self.tmp.name, "does-not-exist.yaml")
        result = run("-t", "-c", path)
        self.assertEqual(result.returncode, 1)
        self.assertIn(path, result.stdout + result.stderr)

    def test_usage_error_is_one_line_pointing_at_h(self):
        for args, fragment in ((["--bogus"], "unknown option '--bogus'"),
                               (["-Z"], "unknown option '-Z'"),
                               (["-w", "many"], "-w: expected"), (["-m", "forking"], "-m: "),
                               (["-p", "99999"], "-p: "), (["-p"], "needs a value"),
                               (["--threads", "x"], "--threads: "), (["extra"], "'extra'")):
            with self.subTest(args=args):
                result = run(*args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(result.stdout, "")
                self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
                self.assertTrue(result.stderr.startswith("learnhttpd: "), result.stderr)
                self.assertIn(fragment, result.stderr)
                self.assertTrue(result.stderr.endswith(" (see learnhttpd -h)\n"), result.stderr)
                self.assertNotIn("Usage", result.stderr)

    def test_version(self):
        result = run("-V")
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout + result.stderr, r"\d+\.\d+")

    def test_help(self):
        result = run("-h")
        self.assertEqual(result.returncode, 0)
        text = result.stdout + result.stderr
        self.assertIn("usage", text.lower())
        for flag in ("-c", "-p", "-r", "-w", "-t"):
            self.assertIn(flag, text)


class CliOverrideTests(unittest.TestCase):
    def setUp(self):
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)

    def test_r_overrides_document_root(self):
        other = os.path.join(self.site.name, "other")
        os.mkdir(other)
        with open(os.path.join(other, "a.txt"), "wb") as f:
            f.write(b"from the -r root")
        with Server(self.root, args=["-r", other]) as srv:
            self.assertEqual(srv.get("/a.txt").body, b"from the -r root")

    def test_w_overrides_workers(self):
        with Server(self.root, config={"workers": 3}, args=["-w", "1"]) as srv:
            self.assertEqual(len(srv.wait_for_workers(1)), 1)
            self.assertEqual(srv.get("/a.txt").body, A_TXT)

    def test_b_and_p_override_listen(self):
        # The file says an address the test cannot use; the flags win.
        with Server(self.root, config={"listen": ["127.0.0.2:1"]},
                    args=["-b", "127.0.0.1", "-p", "0"]) as srv:
            self.assertEqual(srv.host, "127.0.0.1")
            self.assertEqual(srv.get("/a.txt").body, A_TXT)

    def test_m_selects_model(self):
        other = "threadpool" if worker_model() == "event" else "event"
        with Server(self.root, config={"worker_model": other}, args=["-m", worker_model()]) as srv:
            self.assertEqual(srv.get("/a.txt").body, A_TXT)


if __name__ == "__main__":
    unittest.main()
