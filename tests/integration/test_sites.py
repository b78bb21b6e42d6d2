# SPDX-License-Identifier: MIT
"""sites: one server, several sites, each chosen by the host a request names.

Three document roots (a, b and the top level's), sites named by exact names and a one-label
wildcard, and the default site answering every other name. Clients: curl (--resolve, so the
URL names the site as a browser's would, and -H Host), http.client and raw sockets for what a
browser never sends (absolute-form targets, HTTP/1.0 without Host, odd spellings of a host).
Also: sites from included files, -t printing which site each name maps to, and a reload that
swaps every site at once or, with one broken site, none. Production models only: which site
answers is serve::Sites' choice, the same code in every model."""

import http.client
import os
import signal
import subprocess
import tempfile
import unittest

from learnhttpd_harness import Server, binary_path, build_tree, parse_response, worker_model

PRODUCTION = worker_model() in ("event", "threadpool")


def setUpModule():
    if not PRODUCTION:
        raise unittest.SkipTest("site selection is serve/'s, the same in every model")


def make_roots():
    """A temp dir with three roots; returns (tempdir, {name: root path})."""
    tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-sites-")
    roots = {}
    for name in ("a", "b", "top"):
        roots[name] = build_tree(os.path.join(tmp.name, name), {
            "who.txt": name,
            "index.html": f"<p>{name} index</p>",
        })
    return tmp, roots


def sites_config(roots):
    return {
        "document_root": roots["top"],
        "sites": [
            {"names": ["a.example", "www.a.example"], "document_root": roots["a"]},
            {"names": ["*.b.example"], "document_root": roots["b"], "default": True,
             "headers": [{"match": "/", "set": {"X-Site": "b"}}]},
            {"names": "top.example"},
        ],
    }


def reload_and_settle(test, srv, config, generation, workers=2):
    """Writes `config`, sends HUP and waits until `generation` serves and every worker of the
    one before has exited (until then an old worker may still accept a connection)."""
    import re  # noqa: PLC0415
    from learnhttpd_harness import wait_until  # noqa: PLC0415
    mark = srv.log_mark()
    srv.write_config(config)
    srv.signal(signal.SIGHUP)
    test.assertIsNotNone(srv.wait_for_log(rf"generation {generation} ready", 10.0, mark),
                         "\n".join(srv.stderr_lines()[mark:]))
    gone = re.compile(rf"\(pid \d+, generation {generation - 1}\) exited")
    test.assertTrue(wait_until(lambda: sum(1 for line in srv.stderr_lines()[mark:]
                                           if gone.search(line)) >= workers, 10.0),
                    "\n".join(srv.stderr_lines()[mark:]))


def curl(url, *args, resolve=None):
    """curl's exit status and output for `url` (-s, the body only unless -i is passed)."""
    cmd = ["curl", "-s", "--max-time", "5"]
    if resolve:
        cmd += ["--resolve", resolve]
    cmd += [*args, url]
    done = subprocess.run(cmd, capture_output=True, timeout=15, check=False)
    return done.returncode, done.stdout


class SitesByHost(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp, cls.roots = make_roots()
        try:
            cls.srv = Server(cls.roots["top"], config=sites_config(cls.roots))
        except BaseException:
            cls.tmp.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.srv.close()
            cls.tmp.cleanup()

    def who(self, host, target="/who.txt"):
        return self.srv.get(target, {"Host": host}).body

    def test_curl_reaches_each_site_by_its_name(self):
        port = self.srv.port
        for name, expected in (("a.example", b"a"), ("www.a.example", b"a"),
                               ("x.b.example", b"b"), ("top.example", b"top")):
            status, body = curl(f"http://{name}:{port}/who.txt",
                                resolve=f"{name}:{port}:127.0.0.1")
            self.assertEqual((status, body), (0, expected), name)
        status, body = curl(f"http://127.0.0.1:{port}/", "-H", "Host: WWW.A.EXAMPLE.")
        self.assertEqual((status, body), (0, b"<p>a index</p>"))

    def test_a_site_has_its_own_settings(self):
        self.assertEqual(self.srv.get("/who.txt", {"Host": "x.b.example"}).headers.get("X-Site"),
                         "b")
        self.assertIsNone(self.srv.get("/who.txt", {"Host": "a.example"}).headers.get("X-Site"))

    def test_every_other_name_and_no_name_get_the_default_site(self):
        for host in ("unknown.example", "b.example", "y.x.b.example", "127.0.0.1", "[::1]:80",
                     "a.example..", ""):
            self.assertEqual(self.who(host), b"b", repr(host))
        raw = self.srv.raw(b"GET /who.txt HTTP/1.0\r\n\r\n")
        self.assertEqual(parse_response(raw).body, b"b")

    def test_the_port_case_and_final_dot_do_not_matter(self):
        for host in ("A.Example", "a.example:8080", "a.example.", "a.example.:1"):
            self.assertEqual(self.who(host), b"a", host)

    def test_an_absolute_target_names_the_site_before_the_host_field(self):
        raw = self.srv.raw(b"GET http://top.example/who.txt HTTP/1.1\r\nHost: a.example\r\n"
                           b"Connection: close\r\n\r\n")
        self.assertEqual(parse_response(raw).body, b"top")

    def test_keep_alive_requests_may_name_different_sites(self):
        conn = http.client.HTTPConnection(self.srv.host, self.srv.port, timeout=5)
        try:
            for host, expected in (("a.example", b"a"), ("top.example", b"top"),
                                   ("zzz", b"b"), ("a.example", b"a")):
                conn.request("GET", "/who.txt", headers={"Host": host})
                self.assertEqual(conn.getresponse().read(), expected, host)
        finally:
            conn.close()

    def test_a_bad_host_is_still_a_400(self):
        for host in (b"a.example/x", b"a b", b"a.example@evil"):
            raw = self.srv.raw(b"GET /who.txt HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
            self.assertEqual(parse_response(raw).status, 400, host)


class SitesFromIncludedFiles(unittest.TestCase):
    def test_sites_enabled_and_the_map_of_t(self):
        tmp, roots = make_roots()
        with tmp:
            conf = os.path.join(tmp.name, "conf")
            build_tree(conf, {
                "sites-enabled": {
                    "a.yaml": f"sites:\n  - names: [a.example]\n    document_root: {roots['a']}\n",
                    "b.yaml": f"sites:\n  - names: '*.b.example'\n"
                              f"    document_root: {roots['b']}\n",
                },
            })
            main = os.path.join(conf, "learnhttpd.yaml")
            with open(main, "w", encoding="utf-8") as f:
                f.write(f"document_root: {roots['top']}\nuser: ''\npid_file: ''\n"
                        f"listen: ['127.0.0.1:0']\nsites:\n  - {{names: top.example, "
                        f"default: true}}\ninclude: sites-enabled/*.yaml\n")
            done = subprocess.run([binary_path(), "-t", "-c", main], capture_output=True,
                                  text=True, timeout=30, check=False)
            self.assertEqual(done.returncode, 0, done.stderr)
            out = done.stdout
            self.assertIn(f"sites[0] (default): top.example -> {roots['top']} ({main}:6)", out)
            self.assertIn(f"sites[1]: a.example -> {roots['a']} "
                          f"({conf}/sites-enabled/a.yaml:2)", out)
            self.assertIn(f"sites[2]: *.b.example -> {roots['b']}", out)
            self.assertIn("any other name, or none: sites[0] (top.example (default))", out)
            # An error in an included site file names that file, its line and the key.
            with open(os.path.join(conf, "sites-enabled", "b.yaml"), "a", encoding="utf-8") as f:
                f.write("    index: ''\n")
            done = subprocess.run([binary_path(), "-t", "-c", main], capture_output=True,
                                  text=True, timeout=30, check=False)
            self.assertEqual(done.returncode, 1)
            self.assertIn(f"{conf}/sites-enabled/b.yaml:4: sites[2].index: expected a file "
                          "name, got ''", done.stderr)
            # A site whose root is missing is refused by -t, naming the site.
            with open(os.path.join(conf, "sites-enabled", "b.yaml"), "w", encoding="utf-8") as f:
                f.write("sites:\n  - names: '*.b.example'\n    document_root: /nonexistent/b\n")
            done = subprocess.run([binary_path(), "-t", "-c", main], capture_output=True,
                                  text=True, timeout=30, check=False)
            self.assertEqual(done.returncode, 1)
            self.assertIn("sites[2] (*.b.example): ", done.stderr)
            self.assertIn("/nonexistent/b", done.stderr)


class ReloadSwapsAllSites(unittest.TestCase):
    def test_one_broken_site_keeps_every_old_site_and_a_good_reload_swaps_them_all(self):
        tmp, roots = make_roots()
        with tmp, Server(roots["top"], config=sites_config(roots)) as srv:
            who = lambda host: srv.get("/who.txt", {"Host": host}).body  # noqa: E731
            self.assertEqual((who("a.example"), who("top.example")), (b"a", b"top"))
            broken = sites_config(roots)
            broken["sites"][0]["document_root"] = roots["b"]   # a good change ...
            broken["sites"][2]["document_root"] = "/nonexistent/site"  # ... and a broken site
            mark = srv.log_mark()
            srv.write_config(broken)
            srv.signal(signal.SIGHUP)
            self.assertIsNotNone(srv.wait_for_log(r"reload failed.*nonexistent", since=mark))
            self.assertEqual((who("a.example"), who("top.example")), (b"a", b"top"))
            swapped = sites_config(roots)
            swapped["sites"][0]["document_root"] = roots["b"]
            swapped["sites"][2]["names"] = ["new.example"]
            reload_and_settle(self, srv, swapped, 2)
            self.assertEqual(who("a.example"), b"b")
            self.assertEqual(who("new.example"), b"top")
            self.assertEqual(who("top.example"), b"b", "no site has the name now: the default")


if __name__ == "__main__":
    unittest.main()


# ---- TLS: two sites chosen by SNI --------------------------------------------------------------

def tls_pki():
    from tls_pki import Pki, openssl_available  # noqa: PLC0415 (only the TLS classes need it)
    if not openssl_available():
        raise unittest.SkipTest("the openssl command is not installed")
    pki = Pki()
    pki.top = pki.leaf("top", 0x1001)  # localhost, 127.0.0.1
    pki.a = pki.leaf("site-a", 0x5005, san="DNS:a.example,DNS:www.a.example", cn="a.example")
    pki.b = pki.leaf("site-b", 0x6006, san="DNS:*.b.example", cn="*.b.example")
    return pki


def tls_sites_config(roots, pki, **extra):
    config = sites_config(roots)
    config["listen"] = ["127.0.0.1:0 ssl"]
    config["workers"] = 1
    config["tls"] = {"certificate": pki.top[0], "key": pki.top[1]}
    config["sites"][0]["tls"] = {"certificate": pki.a[0], "key": pki.a[1]}
    config["sites"][1]["tls"] = {"certificate": pki.b[0], "key": pki.b[1]}
    config.update(extra)
    return config


class TwoSitesOverTls(unittest.TestCase):
    """Site a (a.example, www.a.example: its own certificate), site b (*.b.example: its own,
    the default) and top.example (the top-level certificate for localhost)."""

    @classmethod
    def setUpClass(cls):
        cls.pki = tls_pki()
        cls.tmp, cls.roots = make_roots()
        try:
            cls.srv = Server(cls.roots["top"], config=tls_sites_config(cls.roots, cls.pki))
        except BaseException:
            cls.tmp.cleanup()
            cls.pki.close()
            raise
        cls.ctx = cls.pki.client_context()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.srv.close()
            cls.tmp.cleanup()
            cls.pki.close()

    def fetch(self, name, host=None, session=None, target="/who.txt", ctx=None):
        """GET over a new TLS connection with SNI `name` (checked against the certificate) and
        Host `host` (default: the name): (status, body, session, reused)."""
        import socket  # noqa: PLC0415
        raw = socket.create_connection((self.srv.host, self.srv.port), timeout=5)
        with (ctx or self.ctx).wrap_socket(raw, server_hostname=name, session=session) as sock:
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host or name}\r\n"
                         "Connection: close\r\n\r\n".encode())
            from learnhttpd_harness import read_until_close  # noqa: PLC0415
            data, _ = read_until_close(sock, 5.0)
            resp = parse_response(data)
            return resp.status, resp.body, sock.session, sock.session_reused

    def test_curl_verifies_each_site_and_gets_its_files(self):
        port = self.srv.port
        for name, expected in (("a.example", b"a"), ("www.a.example", b"a"),
                               ("x.b.example", b"b")):
            status, body = curl(f"https://{name}:{port}/who.txt", "--cacert", self.pki.ca,
                                resolve=f"{name}:{port}:127.0.0.1")
            self.assertEqual((status, body), (0, expected), name)

    def test_sni_picks_the_site_s_certificate(self):
        for name, expected in (("a.example", b"a"), ("x.b.example", b"b"), ("localhost", b"b")):
            status, body, _, _ = self.fetch(name)
            self.assertEqual((status, body), (200, expected), name)

    def test_a_host_the_certificate_does_not_cover_is_421(self):
        # SNI a.example chose a's certificate; a request on it for b's site is misdirected.
        status, body, _, _ = self.fetch("a.example", host="x.b.example")
        self.assertEqual(status, 421)
        self.assertNotEqual(body, b"b")
        status, _, _, _ = self.fetch("x.b.example", host="top.example")
        self.assertEqual(status, 421)
        # A name the same certificate covers is the same origin: served.
        status, body, _, _ = self.fetch("a.example", host="www.a.example:443")
        self.assertEqual((status, body), (200, b"a"))

    def test_a_session_resumes_only_under_its_own_name(self):
        import ssl  # noqa: PLC0415
        tls12 = self.pki.client_context()
        tls12.maximum_version = ssl.TLSVersion.TLSv1_2
        for ctx in (self.ctx, tls12):
            _, _, session, reused = self.fetch("a.example", ctx=ctx)
            self.assertFalse(reused)
            status, body, _, reused = self.fetch("a.example", session=session, ctx=ctx)
            self.assertEqual((status, body), (200, b"a"))
            self.assertTrue(reused, "a session did not resume under its own name")
            # Another site (nginx's CVE-2025-23419), and even another name of the same site
            # (RFC 6066 section 3: MUST NOT resume for a different name): a full handshake.
            for name, expected in (("x.b.example", b"b"), ("www.a.example", b"a")):
                status, body, _, reused = self.fetch(name, session=session, ctx=ctx)
                self.assertEqual((status, body), (200, expected), name)
                self.assertFalse(reused, f"a session of a.example resumed for {name}")


class CountersPerSite(unittest.TestCase):
    """/status and /metrics count requests and body bytes per site, across a reload."""

    def status(self, srv, target):
        import socket  # noqa: PLC0415
        from learnhttpd_harness import read_until_close  # noqa: PLC0415
        with socket.create_connection(("127.0.0.1", srv.status_port), timeout=5) as sock:
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            return parse_response(read_until_close(sock, 5.0)[0]).body.decode()

    def sites(self, srv):
        import json  # noqa: PLC0415
        return {row["site"]: (row["requests"], row["bytes"])
                for row in json.loads(self.status(srv, "/status"))["sites"]}

    def test_requests_and_bytes_per_site_survive_a_reload(self):
        from learnhttpd_harness import wait_until  # noqa: PLC0415
        tmp, roots = make_roots()
        config = dict(sites_config(roots), status={"listen": "127.0.0.1:0"})
        with tmp, Server(roots["top"], config=config) as srv:
            match = srv.wait_for_log(r"master: status listener on \S+:(\d+)")
            self.assertIsNotNone(match)
            srv.status_port = int(match.group(1))
            for _ in range(3):
                self.assertEqual(srv.get("/who.txt", {"Host": "a.example"}).body, b"a")
            srv.head("/who.txt", {"Host": "top.example"})
            srv.get("/missing", {"Host": "nobody.example"})  # the default site (b): a 404 page
            counted = self.sites(srv)
            self.assertEqual(counted["a.example"], (3, 3))
            self.assertEqual(counted["top.example"], (1, 0), "HEAD sends no body")
            self.assertEqual(counted["*.b.example"][0], 1)
            self.assertGreater(counted["*.b.example"][1], 0)
            reload_and_settle(self, srv, dict(config, index="who.txt"), 2)
            self.assertEqual(srv.get("/", {"Host": "a.example"}).body, b"a")
            # The old generation's counts stay once its workers are gone.
            self.assertTrue(wait_until(lambda: self.sites(srv)["a.example"] == (4, 4), 5.0),
                            self.sites(srv))
            metrics = self.status(srv, "/metrics")
            self.assertIn('learnhttpd_site_requests_total{site="a.example"} 4\n', metrics)
            self.assertIn('learnhttpd_site_bytes_total{site="a.example"} 4\n', metrics)
            self.assertIn('learnhttpd_site_requests_total{site="top.example"} 1\n', metrics)
