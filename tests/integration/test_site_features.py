# SPDX-License-Identifier: MIT
"""The site features through real clients: redirect and rewrite rules, the fallback page of a
single-page application, directory listings, basic auth and CORS, each set per site (and per
path where the feature is), on a server of two sites chosen by Host.

Clients: curl (following redirects, --user, CORS preflights as a browser sends them), Python's
http.client and raw sockets for the exact bytes and hostile input, node's WHATWG URL parser
(when installed) to resolve a Location as a browser does, and headless Chromium for what only a
browser can show (a file name that tries to be markup in a listing). Production models only:
every feature is serve::Answerer's, the same code in every model."""

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from learnhttpd_harness import Server, build_tree, parse_response, worker_model

PRODUCTION = worker_model() in ("event", "threadpool")
NODE = shutil.which("node") or shutil.which("nodejs")


def setUpModule():
    if not PRODUCTION:
        raise unittest.SkipTest("the site features are serve/'s, the same in every model")


def curl(*args):
    """curl's exit status and stdout (-s; a 10 s bound)."""
    done = subprocess.run(["curl", "-s", "--max-time", "10", *args], capture_output=True,
                          timeout=20, check=False)
    return done.returncode, done.stdout


def browser_location(base, location):
    """`location` resolved against `base` as a browser's URL parser does (node's WHATWG URL)."""
    done = subprocess.run([NODE, "-e", "process.stdout.write(new URL(process.argv[2], "
                           "process.argv[1]).href)", base, location],
                          capture_output=True, text=True, timeout=20, check=True)
    return done.stdout


class FeatureServer(unittest.TestCase):
    """One server per class: TREE under the top-level root, CONFIG merged over the defaults."""
    TREE = {}
    CONFIG = {}

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-features-")
        cls.root = build_tree(os.path.join(cls.tmp.name, "www"), cls.TREE)
        try:
            cls.srv = Server(cls.root, config=cls.server_config())
        except BaseException:
            cls.tmp.cleanup()
            raise

    @classmethod
    def server_config(cls):
        return cls.CONFIG

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.srv.close()
            cls.tmp.cleanup()

    def url(self, path, host="localhost"):
        return f"http://{host}:{self.srv.port}{path}"

    def curl_at(self, host, path, *args):
        return curl("--resolve", f"{host}:{self.srv.port}:127.0.0.1", *args, self.url(path, host))


class RedirectsAndRewrites(FeatureServer):
    TREE = {
        "page.html": "<p>page</p>",
        "posts": {"2024": {"hello.html": "<p>hello</p>"}},
        "app": {"index.html": "<p>app shell</p>"},
    }
    CONFIG = {
        "redirects": [
            {"from": "/old.html", "to": "/page.html"},
            {"from": "/blog/*", "to": "/posts/*.html", "status": 308},
            {"from": "/docs/*", "to": "https://docs.example.org/*", "status": 302},
            {"from": "/x*", "to": "/*"},
        ],
        "rewrites": [{"from": "/app/*", "to": "/app/index.html"}],
        "sites": [
            {"names": "plain.example", "redirects": [], "rewrites": []},
            {"names": "localhost", "default": True},
        ],
    }

    def test_curl_follows_a_rule_to_the_file(self):
        status, out = curl("-L", "-w", "\n%{url_effective} %{num_redirects}",
                           self.url("/blog/2024/hello"))
        self.assertEqual(status, 0)
        body, effective = out.rsplit(b"\n", 1)
        self.assertEqual(body, b"<p>hello</p>")
        self.assertEqual(effective.decode(),
                         f"{self.url('/posts/2024/hello.html')} 1")

    def test_statuses_locations_and_the_query(self):
        resp = self.srv.get("/old.html?utm=x")
        self.assertEqual((resp.status, resp.headers["Location"]), (301, "/page.html?utm=x"))
        resp = self.srv.get("/blog/2024/a%20b")
        self.assertEqual((resp.status, resp.headers["Location"]), (308, "/posts/2024/a%20b.html"))
        resp = self.srv.get("/docs/guide/intro")
        self.assertEqual((resp.status, resp.headers["Location"]),
                         (302, "https://docs.example.org/guide/intro"))

    def test_a_rule_is_the_site_s_own(self):
        self.assertEqual(self.srv.get("/old.html", {"Host": "plain.example"}).status, 404)
        self.assertEqual(self.srv.get("/app/route", {"Host": "plain.example"}).status, 404)

    def test_a_location_never_leaves_for_a_host_the_rule_does_not_name(self):
        # "/x*" to "/*": the captured part is whatever follows "/x" in the client's path.
        for target in ("/x/evil.example/", "/x//evil.example", "/x/%2Fevil.example",
                       "/x/%5Cevil.example", "/x\\evil.example", "/x/%09/evil.example"):
            raw = self.srv.raw(f"GET {target} HTTP/1.1\r\nHost: localhost\r\n"
                               "Connection: close\r\n\r\n".encode("latin-1"))
            resp = parse_response(raw)
            if resp.status == 400:
                continue  # not a target this server reads at all
            self.assertEqual(resp.status, 301, target)
            location = resp.headers["Location"]
            self.assertTrue(location.startswith("/") and not location.startswith("//"),
                            (target, location))
            self.assertNotIn("\\", location)
            if NODE:
                base = "http://localhost:8080/"
                self.assertTrue(browser_location(base, location).startswith(base),
                                (target, location))

    def test_a_rewrite_serves_another_path_without_telling_the_client(self):
        conn = http.client.HTTPConnection(self.srv.host, self.srv.port, timeout=5)
        try:
            for path in ("/app/", "/app/users/7", "/app/a/b/c?x=1"):
                conn.request("GET", path)
                resp = conn.getresponse()
                self.assertEqual((resp.status, resp.read()), (200, b"<p>app shell</p>"), path)
                self.assertIsNone(resp.getheader("Location"))
        finally:
            conn.close()


class FallbackPage(FeatureServer):
    TREE = {"index.html": "<p>spa</p>", "app.js": "js()", "assets": {"logo.svg": "<svg/>"}}
    CONFIG = {"fallback": {"page": "/index.html", "extensionless_only": True},
              "headers": [{"match": "*.html", "set": {"Cache-Control": "no-cache"}}]}

    def test_a_route_gets_the_page_and_a_missing_asset_stays_404(self):
        for path in ("/users/7", "/settings/", "/deep/route/x"):
            status, out = curl("-w", "\n%{http_code}", self.url(path))
            self.assertEqual((status, out), (0, b"<p>spa</p>\n200"), path)
        resp = self.srv.get("/users/7")
        self.assertEqual(resp.headers["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(resp.headers["Cache-Control"], "no-cache", "the page's header rules")
        self.assertEqual(self.srv.get("/missing.js").status, 404)
        self.assertEqual(self.srv.get("/app.js").body, b"js()")
        self.assertEqual(self.srv.get("/assets/logo.svg").body, b"<svg/>")

    def test_head_and_a_conditional_request_on_a_route(self):
        head = self.srv.head("/users/7")
        self.assertEqual(head.status, 200)
        self.assertEqual(head.headers["Content-Length"], str(len(b"<p>spa</p>")))
        etag = head.headers["ETag"]
        again = self.srv.get("/users/8", {"If-None-Match": etag})
        self.assertEqual(again.status, 304)


if __name__ == "__main__":
    unittest.main()
