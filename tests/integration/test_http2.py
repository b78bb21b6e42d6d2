# SPDX-License-Identifier: MIT
"""HTTP/2: every stream gets the answer an HTTP/1.1 request gets -- the same status, fields and
bytes -- for files, directories, conditionals, ranges, sidecars, on-the-fly gzip, header rules,
error pages, HSTS and redirect_to_https; over TLS by ALPN (h2 preferred) and in clear with prior
knowledge when http2.plain is on; curl --http2 and --http2-prior-knowledge; the access log line
says HTTP/2.0, quiet mode writes none, and requests are counted. Run by Debian's python3
(python3-h2)."""

import gzip
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))

from docroot import A_TXT, BIG, FIXED_MTIME_HTTP, SECRET, make_site  # noqa: E402
from h2_client import Client, RawH2, SettingsFrame, connect  # noqa: E402
from learnhttpd_harness import Server, binary_path, wait_until, worker_model  # noqa: E402
from tls_pki import Pki, openssl_available  # noqa: E402

TEXT = b"".join(b"line %d of a text that compresses well\n" % i for i in range(400))
NOT_FOUND_PAGE = b"<html><body>custom: not here</body></html>\n"

CONFIG = {
    "workers": 1,
    "http2": {"plain": True},
    "gzip": {"enabled": True},
    "headers": [{"match": "/assets/", "set": {"Cache-Control": "max-age=60",
                                              "X-Test": "assets"}}],
    "error_pages": {404: "/errors/404.html"},
    "tls": {"hsts": "1h"},
    "status": {"listen": "127.0.0.1:0"},
}


def extend_site(root):
    with open(os.path.join(root, "text.txt"), "wb") as f:
        f.write(TEXT)
    os.makedirs(os.path.join(root, "assets"))
    with open(os.path.join(root, "assets", "app.css"), "wb") as f:
        f.write(b"body{color:red}" * 40)
    with open(os.path.join(root, "assets", "app.css.gz"), "wb") as f:
        f.write(gzip.compress(b"body{color:red}" * 40, 9, mtime=0))
    os.makedirs(os.path.join(root, "errors"))
    with open(os.path.join(root, "errors", "404.html"), "wb") as f:
        f.write(NOT_FOUND_PAGE)
    with open(os.path.join(root, ".env"), "wb") as f:
        f.write(b"hidden")


# (method, target, request fields): answers compared field for field with HTTP/1.1's.
CASES = [
    ("GET", "/a.txt", {}),
    ("HEAD", "/a.txt", {}),
    ("GET", "/", {}),
    ("GET", "/dir", {}),
    ("GET", "/dir/", {}),
    ("GET", "/dir/?q=1", {}),
    ("GET", "/noindex/", {}),
    ("GET", "/missing.txt", {}),
    ("GET", "/space%20in%20name.txt", {}),
    ("GET", "/%61.txt", {}),
    ("GET", "/text..txt", {}),
    ("GET", "/../secret.txt", {}),
    ("GET", "/%2e%2e/secret.txt", {}),
    ("GET", "/link_outside.txt", {}),
    ("GET", "/link_inside.txt", {}),
    ("GET", "/.env", {}),
    ("GET", "/a.txt/", {}),
    ("POST", "/a.txt", {}),
    ("DELETE", "/a.txt", {}),
    ("OPTIONS", "/a.txt", {}),
    ("OPTIONS", "*", {}),
    ("GET", "/a.txt", {"If-Modified-Since": FIXED_MTIME_HTTP}),
    ("GET", "/a.txt", {"If-None-Match": "*"}),
    ("GET", "/a.txt", {"Range": "bytes=1-3"}),
    ("GET", "/a.txt", {"Range": "bytes=-2"}),
    ("GET", "/a.txt", {"Range": "bytes=100-200"}),
    ("GET", "/a.txt", {"Range": "bytes=0-1", "If-Range": FIXED_MTIME_HTTP}),
    ("GET", "/big.bin", {"Range": "bytes=1000000-1999999"}),
    ("GET", "/text.txt", {"Accept-Encoding": "gzip"}),
    ("HEAD", "/text.txt", {"Accept-Encoding": "gzip"}),
    ("GET", "/text.txt", {}),
    ("GET", "/assets/app.css", {"Accept-Encoding": "gzip, br"}),
    ("GET", "/assets/app.css", {}),
    ("GET", "/big.bin", {}),
    ("GET", "/page.html", {}),
]


def comparable(status, fields, body):
    """What must agree between the two protocols: Date may tick, Connection is HTTP/1's."""
    kept = [(n.lower(), v) for n, v in fields if n.lower() not in ("date", "connection")]
    return status, kept, body


class Http2AnswersTest(unittest.TestCase):
    TLS = False

    @classmethod
    def setUpClass(cls):
        cls.site, cls.root = make_site()
        extend_site(cls.root)
        config = dict(CONFIG)
        cls.pki = None
        cls.client_tls = None
        cls.h1_tls = None
        if cls.TLS:
            if not openssl_available():
                raise unittest.SkipTest("the openssl command is not installed")
            cls.pki = Pki()
            chain, key = cls.pki.leaf("server", 1)
            config["listen"] = ["127.0.0.1:0 ssl"]
            config["tls"] = dict(config["tls"], certificate=chain, key=key)
            cls.client_tls = cls.pki.client_context(alpn=("h2", "http/1.1"))
            cls.h1_tls = cls.pki.client_context()
        else:
            del config["tls"]
        config["log"] = {"access_log": "{tmp}/access.log"}
        cls.srv = Server(cls.root, config=config, client_tls=cls.h1_tls)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.srv.close()
            cls.site.cleanup()
            if cls.pki is not None:
                cls.pki.close()

    def client(self, **kwargs):
        return Client(connect(self.srv, self.client_tls), **kwargs)

    def test_every_case_is_answered_as_over_http1(self):
        with self.client() as h2:
            for method, target, fields in CASES:
                with self.subTest(method=method, target=target, fields=fields):
                    h1 = self.srv.request(method, target, fields)
                    r = h2.get(target, method=method,
                               headers=[(n.lower(), v) for n, v in fields.items()])
                    self.assertTrue(r.ended, r)
                    self.assertEqual(comparable(r.status, r.headers, r.body),
                                     comparable(h1.status, h1.headers.pairs, h1.body))
                    self.assertNotIn(SECRET, r.body)
            self.assertIsNone(h2.terminated)
            self.assertFalse(h2.closed)

    def test_many_streams_at_once(self):
        with self.client() as h2:
            names = ["/a.txt", "/big.bin", "/text.txt", "/dir/", "/missing"] * 8
            ids = [h2.send_request(name) for name in names]
            for stream_id, name in zip(ids, names):
                r = h2.wait_for(stream_id, timeout=20)
                h1 = self.srv.get(name)
                self.assertEqual((r.status, r.body), (h1.status, h1.body), name)

    def test_large_file_through_flow_control(self):
        # A small window makes the server send in many rounds, each waiting for WINDOW_UPDATE.
        with self.client(settings={4: 16384}) as h2:  # SETTINGS_INITIAL_WINDOW_SIZE
            r = h2.get("/big.bin")
            self.assertEqual(r.status, 200)
            self.assertEqual(r.body, BIG)

    def test_access_log_says_http2(self):
        with self.client() as h2:
            self.assertEqual(h2.get("/a.txt?log=1", headers=[("user-agent", "h2test/1")]).status,
                             200)
        path = self.srv.path("access.log")
        def logged():
            with open(path, encoding="utf-8") as f:
                return next((line for line in f if "log=1" in line), None)
        line = wait_until(logged, 5.0)
        self.assertRegex(line, r'"GET /a\.txt\?log=1 HTTP/2\.0" 200 5 "-" "h2test/1"')

    def test_requests_are_counted(self):
        # Every stream is a request in the master's count (/status, /metrics).
        before = self.requests_total()
        with self.client() as h2:
            for _ in range(3):
                self.assertEqual(h2.get("/a.txt").status, 200)
        self.assertTrue(wait_until(lambda: self.requests_total() == before + 3, 5.0),
                        (before, self.requests_total()))

    def requests_total(self):
        match = self.srv.wait_for_log(r"master: status listener on (\S+):(\d+)", 5.0)
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(2)), timeout=5)
        try:
            conn.request("GET", "/status")
            return json.loads(conn.getresponse().read())["requests_total"]
        finally:
            conn.close()


class Http2AnswersOverTlsTest(Http2AnswersTest):
    TLS = True

    def test_hsts_on_every_answer(self):
        with self.client() as h2:
            for target in ("/a.txt", "/missing", "/dir"):
                r = h2.get(target)
                self.assertEqual(r.header("strict-transport-security"), "max-age=3600", target)

    def test_curl_http2_gets_http2(self):
        run = subprocess.run(["curl", "-s", "--http2", "--cacert", self.pki.ca, "-o", "/dev/null",
                              "-w", "%{http_version} %{http_code}",
                              f"https://localhost:{self.srv.port}/a.txt",
                              "--resolve", f"localhost:{self.srv.port}:127.0.0.1"],
                             capture_output=True, text=True, timeout=20, check=False)
        self.assertEqual(run.stdout, "2 200", run.stderr)

    def test_alpn_prefers_h2_and_still_speaks_http11(self):
        ctx = self.pki.client_context(alpn=("http/1.1", "h2"))  # the client's order
        with connect(self.srv, ctx) as sock:  # asserts h2 was chosen
            self.assertIsNotNone(sock)
        resp = self.srv.get("/a.txt")  # a client that offers http/1.1 only
        self.assertEqual((resp.status, resp.version, resp.body), (200, "HTTP/1.1", A_TXT))


class Http2PlainTest(unittest.TestCase):
    """Prior knowledge on plain listeners: off by default, on with http2.plain."""

    @classmethod
    def setUpClass(cls):
        cls.site, cls.root = make_site()

    @classmethod
    def tearDownClass(cls):
        cls.site.cleanup()

    def curl(self, srv, *args):
        return subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
                               *args, f"http://127.0.0.1:{srv.port}/a.txt"],
                              capture_output=True, text=True, timeout=20, check=False)

    def test_prior_knowledge_when_enabled(self):
        with Server(self.root, config={"workers": 1, "http2": {"plain": True}}) as srv:
            self.assertEqual(self.curl(srv, "--http2-prior-knowledge").stdout, "2 200")
            self.assertEqual(self.curl(srv, "--http1.1").stdout, "1.1 200")
            # The preface in small pieces is still recognised.
            with RawH2(connect(srv), preface=False) as raw:
                for piece in (b"PRI * HT", b"TP/2.0\r\n", b"\r\nSM\r\n\r\n"):
                    raw.send(piece)
                    time.sleep(0.05)  # separate reads, not a timing assertion
                raw.send(SettingsFrame(0), raw.get(1, "/a.txt"))
                self.assertTrue(raw.read_until(lambda r: r.ended(1)), raw.frames)
                self.assertEqual((raw.status(1), raw.body(1)), (200, A_TXT))

    def test_off_by_default(self):
        with Server(self.root, config={"workers": 1}) as srv:
            run = self.curl(srv, "--http2-prior-knowledge")
            self.assertNotEqual(run.stdout, "2 200")
            self.assertEqual(self.curl(srv, "--http1.1").stdout, "1.1 200")

    def test_tls_off_means_http11_by_alpn(self):
        if not openssl_available():
            self.skipTest("the openssl command is not installed")
        pki = Pki()
        try:
            chain, key = pki.leaf("server", 1)
            config = {"workers": 1, "listen": ["127.0.0.1:0 ssl"],
                      "tls": {"certificate": chain, "key": key}, "http2": {"tls": False}}
            with Server(self.root, config=config, client_tls=pki.client_context()) as srv:
                run = subprocess.run(
                    ["curl", "-s", "--http2", "--cacert", pki.ca, "-o", "/dev/null", "-w",
                     "%{http_version} %{http_code}", f"https://localhost:{srv.port}/a.txt",
                     "--resolve", f"localhost:{srv.port}:127.0.0.1"],
                    capture_output=True, text=True, timeout=20, check=False)
                self.assertEqual(run.stdout, "1.1 200", run.stderr)
        finally:
            pki.close()

    def test_quiet_mode_logs_nothing(self):
        config = {"workers": 1, "http2": {"plain": True},
                  "log": {"access_log": "{tmp}/access.log", "quiet": True}}
        with Server(self.root, config=config) as srv:
            with Client(connect(srv)) as h2:
                self.assertEqual(h2.get("/a.txt").status, 200)
            self.assertFalse(os.path.exists(srv.path("access.log")))
            self.assertEqual(self.curl(srv, "--http2-prior-knowledge").stdout, "2 200")

    def test_redirect_to_https(self):
        if not openssl_available():
            self.skipTest("the openssl command is not installed")
        pki = Pki()
        try:
            chain, key = pki.leaf("server", 1)
            config = {"workers": 1, "http2": {"plain": True}, "redirect_to_https": 8443,
                      "listen": ["127.0.0.1:0", "127.0.0.2:0 ssl"],
                      "tls": {"certificate": chain, "key": key}}
            with Server(self.root, config=config) as srv:
                h1 = srv.get("/dir/a%20b?x=1")
                with Client(connect(srv)) as h2:
                    r = h2.get("/dir/a%20b?x=1")
                    other = h2.get("/x", authority="example.org:8080")
                self.assertEqual(r.status, 301)
                self.assertEqual(r.header("location"), "https://localhost:8443/dir/a%20b?x=1")
                self.assertEqual(comparable(r.status, r.headers, r.body),
                                 comparable(h1.status, h1.headers.pairs, h1.body))
                self.assertEqual(other.header("location"), "https://example.org:8443/x")
        finally:
            pki.close()


class TeachingModelsTest(unittest.TestCase):
    """The teaching models answer in HTTP/1.1, and say so at -t and start."""

    def test_check_and_start_say_so(self):
        with tempfile.TemporaryDirectory(prefix="learnhttpd-h2-") as tmp:
            path = os.path.join(tmp, "c.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(f"document_root: {tmp}\nuser: ''\npid_file: ''\nworker_model: select\n"
                        "http2: {plain: true}\n")
            run = subprocess.run([binary_path(), "-t", "-c", path], capture_output=True,
                                 text=True, timeout=10, check=False)
            self.assertEqual(run.returncode, 0, run)
            self.assertIn("warning: http2.plain: worker_model select speaks HTTP/1.1 only",
                          run.stdout + run.stderr)
            with Server(tmp, config={"worker_model": "select", "http2": {"plain": True},
                                     "workers": 1}) as srv:
                self.assertTrue(srv.wait_for_log(r"http2\.plain: worker_model select speaks "
                                                 r"HTTP/1\.1 only"))
                data = srv.raw(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", timeout=3)
                # Read as HTTP/1.1: "PRI *" is no request it serves.
                self.assertTrue(data.startswith(b"HTTP/1.1 400 "), data[:100])


if __name__ == "__main__":
    unittest.main()
