# SPDX-License-Identifier: MIT
"""redirect_to_https: a plain listener answers every request with a 301 to the same URL over
HTTPS, while the server's "ssl" listener serves the files.

One server with a plain and an "ssl" address on port 0 (so Location names the "ssl" port the
master got) and a certificate from a CA the module makes. Clients: http.client and raw sockets
for the exact bytes, curl following the redirect onto the TLS listener, and (when node is
installed) a WHATWG URL parser, the way a browser reads Location, for hostile targets; the
status listener is not redirected. Off by default: the same pair of addresses without the key serves files on both. The config errors
name file, line and key. Production models only (TLS listeners); the redirect itself is
serve::Answerer's, the same code in every model."""

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import unittest

from docroot import A_TXT, ServerTestCase, make_site
from learnhttpd_harness import (Server, binary_path, parse_response, read_until_close,
                                wait_until, worker_model)
from tls_pki import Pki, openssl_available

PRODUCTION = worker_model() in ("event", "threadpool")
NODE = shutil.which("node") or shutil.which("nodejs")

pki = None


def setUpModule():
    global pki
    if not PRODUCTION:
        raise unittest.SkipTest("the teaching models refuse TLS listeners")
    if not openssl_available():
        raise unittest.SkipTest("the openssl command is not installed")
    pki = Pki()
    pki.pair = pki.leaf("server", 0x5005)


def tearDownModule():
    if pki is not None:
        pki.close()


# Port 0 twice on one address would be one socket listed twice: the "ssl" one is elsewhere on
# the loopback network.
TLS_HOST = "127.0.0.2"
LISTENING = re.compile(r"listening on \S+:(\d+)\s*$")


def redirect_config(**extra):
    """A configuration with a plain and an "ssl" address, plus `extra`."""
    chain, key = pki.pair
    config = {"listen": ["127.0.0.1:0", f"{TLS_HOST}:0 ssl"], "workers": 1,
              "tls": {"certificate": chain, "key": key}}
    config.update(extra)
    return config


def listening_ports(srv):
    """(plain port, ssl port) from the server's "listening on" lines, in the order of `listen`."""
    def ports():
        found = [int(m.group(1)) for m in map(LISTENING.search, srv.stderr_lines()) if m]
        return found[:2] if len(found) >= 2 else None

    found = wait_until(ports, 5.0)
    if not found:
        raise AssertionError("no two 'listening on' lines:\n" + "\n".join(srv.stderr_lines()))
    return found[0], found[1]


def start(root, **extra):
    """A server of redirect_config(**extra); returns (server, plain port, ssl port)."""
    srv = Server(root, config=redirect_config(**extra))
    try:
        return (srv, *listening_ports(srv))
    except BaseException:
        srv.close()
        raise


def raw(port, data, timeout=5.0):
    """Plain HTTP to 127.0.0.1:`port`: the bytes the server sent until it closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return read_until_close(sock, timeout)[0]


class HttpsRedirect(ServerTestCase):
    @classmethod
    def server_config(cls):
        return redirect_config(redirect_to_https=True, status={"listen": "127.0.0.1:0"})

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.plain, cls.tls = listening_ports(cls.srv)
        except BaseException:
            cls.tearDownClass()
            raise

    def request(self, method, target, host="localhost", version="HTTP/1.1"):
        head = f"{method} {target} {version}\r\n"
        if host is not None:
            head += f"Host: {host}\r\n"
        data = raw(self.plain, (head + "Connection: close\r\n\r\n").encode("latin-1"))
        return parse_response(data, method), data

    def test_get_and_head_keep_path_and_query(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.plain, timeout=5)
        try:
            conn.request("GET", "/a.txt?x=1&y=%2F&z", headers={"Host": "localhost"})
            resp = conn.getresponse()
            body = resp.read()
            self.assertEqual(resp.status, 301)
            location = f"https://localhost:{self.tls}/a.txt?x=1&y=%2F&z"
            self.assertEqual(resp.getheader("Location"), location)
            self.assertEqual(int(resp.getheader("Content-Length")), len(body))
            self.assertIsNone(resp.getheader("Strict-Transport-Security"))
            # Keep-alive as for any answer: HEAD on the same connection, the same head.
            conn.request("HEAD", "/a.txt?x=1&y=%2F&z", headers={"Host": "localhost"})
            head = conn.getresponse()
            head.read()
            self.assertEqual(head.status, 301)
            self.assertEqual(head.getheader("Location"), location)
            self.assertEqual(head.getheader("Content-Length"), str(len(body)))
        finally:
            conn.close()
        resp, data = self.request("HEAD", "/a.txt")
        self.assertTrue(data.endswith(b"\r\n\r\n"), data)  # no body bytes after the head
        self.assertEqual(resp.headers["Location"], f"https://localhost:{self.tls}/a.txt")

    def test_host_port_is_replaced_and_the_name_kept(self):
        resp, _ = self.request("GET", "/dir/inner.txt?q", host="Example.ORG:8080")
        self.assertEqual(resp.status, 301)
        self.assertEqual(resp.headers["Location"], f"https://example.org:{self.tls}/dir/inner.txt?q")
        resp, _ = self.request("GET", "/", host="[::1]:80")
        self.assertEqual(resp.headers["Location"], f"https://[::1]:{self.tls}/")

    def test_every_request_is_redirected(self):
        # No file is looked up: a missing file, a directory without its slash, another method.
        for method, target in (("GET", "/no-such-file"), ("GET", "/dir"), ("POST", "/a.txt"),
                               ("DELETE", "/"), ("GET", "/space%20in%20name.txt"),
                               ("OPTIONS", "/a.txt")):
            with self.subTest(method=method, target=target):
                resp, _ = self.request(method, target)
                self.assertEqual(resp.status, 301)
                self.assertEqual(resp.headers["Location"], f"https://localhost:{self.tls}{target}")

    def test_options_asterisk_is_answered_not_redirected(self):
        # "*" names no resource, so there is no https:// URL to send it to, and a 400 would
        # call a valid request malformed: the server-wide answer, which has no content.
        resp, data = self.request("OPTIONS", "*")
        self.assertEqual(resp.status, 204, data)
        self.assertEqual(resp.headers["Allow"], "GET, HEAD, OPTIONS")
        self.assertNotIn("Location", resp.headers)
        self.assertTrue(data.endswith(b"\r\n\r\n"), data)
        resp, _ = self.request("GET", "*")
        self.assertEqual(resp.status, 400)

    def test_absolute_form_names_the_host(self):
        # RFC 9112 section 3.2.2: the target's authority, not Host.
        resp, _ = self.request("GET", "http://Other.Example:81/a.txt?k=v")
        self.assertEqual(resp.headers["Location"], f"https://other.example:{self.tls}/a.txt?k=v")
        resp, _ = self.request("GET", "http://user@evil.example/a.txt")
        self.assertEqual(resp.status, 400)

    def test_http10_without_host_gets_the_address_it_reached(self):
        resp, _ = self.request("GET", "/a.txt?x", host=None, version="HTTP/1.0")
        self.assertEqual(resp.status, 301)
        self.assertEqual(resp.headers["Location"], f"https://127.0.0.1:{self.tls}/a.txt?x")
        resp, _ = self.request("GET", "/a.txt", host="", version="HTTP/1.0")
        self.assertEqual(resp.headers["Location"], f"https://127.0.0.1:{self.tls}/a.txt")

    def test_a_host_that_could_point_elsewhere_is_400(self):
        for host in ("evil.example@localhost", "localhost%2fevil.example", "evil.example!x",
                     "a..b", ".evil", "[v1.evil]", "localhost:80:80", "evil.example/x",
                     "evil.example\\x", "a b", "\xe9vil.example"):
            with self.subTest(host=host):
                resp, data = self.request("GET", "/a.txt", host=host)
                self.assertEqual(resp.status, 400)
                self.assertNotIn(b"Location", data)
                self.assertNotIn(b"evil", data)
                self.assertEqual(resp.headers["Connection"], "close")

    def test_unreadable_target_keeps_its_400(self):
        resp, _ = self.request("GET", "/../secret.txt")
        self.assertEqual(resp.status, 400)
        self.assertNotIn("Location", resp.headers)

    def test_status_listener_is_a_server_of_its_own(self):
        match = self.srv.wait_for_log(r"master: status listener on \S+:(\d+)", 5.0)
        self.assertTrue(match, "\n".join(self.srv.stderr_lines()))
        data = raw(int(match.group(1)), b"GET /status HTTP/1.1\r\nHost: localhost\r\n"
                                         b"Connection: close\r\n\r\n")
        resp = parse_response(data)
        self.assertEqual(resp.status, 200)
        self.assertIn("workers", json.loads(resp.body))

    def test_tls_listener_serves_the_files(self):
        plain_sock = socket.create_connection((TLS_HOST, self.tls), timeout=5)
        with pki.client_context().wrap_socket(plain_sock, server_hostname="localhost") as sock:
            sock.sendall(b"GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            data, _ = read_until_close(sock, 5.0)
        resp = parse_response(data)
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.body, A_TXT)

    @unittest.skipIf(shutil.which("curl") is None, "curl is not installed")
    def test_curl_follows_onto_tls(self):
        if self.plain == self.tls:
            self.skipTest("both addresses got the same port: --resolve cannot tell them apart")
        out = subprocess.run(
            ["curl", "-sS", "-L", "--cacert", pki.ca, "-w", "\n%{url_effective} %{num_redirects}",
             "--resolve", f"localhost:{self.plain}:127.0.0.1",
             "--resolve", f"localhost:{self.tls}:{TLS_HOST}",
             f"http://localhost:{self.plain}/a.txt?from=plain"],
            capture_output=True, timeout=30, check=False)
        self.assertEqual(out.returncode, 0, out.stderr)
        body, _, summary = out.stdout.rpartition(b"\n")
        self.assertEqual(body, A_TXT)
        self.assertEqual(summary.decode(),
                         f"https://localhost:{self.tls}/a.txt?from=plain 1")

    @unittest.skipUnless(NODE, "needs node for its WHATWG URL parser (packaging/install-deps.sh)")
    def test_location_stays_on_the_named_host_for_a_browser(self):
        targets = ["//evil.example/x", "/\\evil.example/x", "/\\\\evil.example",
                   "/%2F%2Fevil.example", "/%09/evil.example", "/x?@evil.example",
                   "/x?//evil.example", "/x#@evil.example", "/x;@evil.example"]
        locations = []
        for target in targets:
            resp, _ = self.request("GET", target)
            self.assertEqual(resp.status, 301, target)
            locations.append(resp.headers["Location"])
        script = ("let s='';process.stdin.on('data',c=>s+=c);process.stdin.on('end',()=>"
                  "process.stdout.write(JSON.stringify(JSON.parse(s).map(u=>new URL(u).host))))")
        out = subprocess.run([NODE, "-e", script], input=json.dumps(locations).encode(),
                             capture_output=True, timeout=30, check=True)
        for target, host in zip(targets, json.loads(out.stdout)):
            self.assertEqual(host, f"localhost:{self.tls}", target)


class OffByDefault(unittest.TestCase):
    def test_plain_listener_serves_files(self):
        site, root = make_site()
        self.addCleanup(site.cleanup)
        srv, plain, tls = start(root)
        self.addCleanup(srv.close)
        data = raw(plain, b"GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        resp = parse_response(data)
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.body, A_TXT)
        self.assertNotEqual(plain, tls)
        srv.stop()

    def test_a_named_port_443_is_left_out(self):
        site, root = make_site()
        self.addCleanup(site.cleanup)
        srv, plain, _ = start(root, redirect_to_https=443)
        self.addCleanup(srv.close)
        data = raw(plain, b"GET /a.txt?q HTTP/1.1\r\nHost: example.org\r\nConnection: close\r\n\r\n")
        self.assertEqual(parse_response(data).headers["Location"], "https://example.org/a.txt?q")
        srv.stop()


class ConfigErrors(unittest.TestCase):
    def setUp(self):
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)
        self.dir = tempfile.mkdtemp(prefix="learnhttpd-redirect-check-")
        self.addCleanup(shutil.rmtree, self.dir)

    def check(self, text, *args):
        path = os.path.join(self.dir, "learnhttpd.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"document_root: {self.root}\nuser: ''\npid_file: ''\n" + text)
        return subprocess.run([binary_path(), "-c", path, "-t", *args], capture_output=True,
                              text=True, timeout=30, check=False), path

    def test_without_an_ssl_listener(self):
        out, path = self.check("listen: ['127.0.0.1:0']\nredirect_to_https: true\n")
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn(f"{path}:5: redirect_to_https: no \"ssl\" address in listen to redirect to",
                      out.stderr)

    def test_port_flag_leaving_no_ssl_listener(self):
        chain, key = pki.pair
        out, _ = self.check(f"listen: ['127.0.0.1:0', '{TLS_HOST}:0 ssl']\nredirect_to_https: yes\n"
                            f"tls: {{certificate: {chain}, key: {key}}}\n", "-p", "0")
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("-p: redirect_to_https: no \"ssl\" address in listen to redirect to",
                      out.stderr)

    def test_several_ssl_ports_need_one_named(self):
        chain, key = pki.pair
        text = ("listen: ['127.0.0.1:8443 ssl', '127.0.0.1:9443 ssl']\nredirect_to_https: true\n"
                f"tls: {{certificate: {chain}, key: {key}}}\n")
        out, path = self.check(text)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn(f"{path}:5: redirect_to_https: the \"ssl\" addresses use ports 8443 and "
                      "9443; name the one to redirect to, like redirect_to_https: 8443",
                      out.stderr)
        out, _ = self.check(text.replace("true", "9443"))
        self.assertEqual(out.returncode, 0, out.stderr)


if __name__ == "__main__":
    unittest.main()
