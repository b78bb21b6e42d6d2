# SPDX-License-Identifier: MIT
"""HTTPS: TLS listeners served by the production models (event, threadpool) with a certificate
chain and key the test makes itself (a CA and leaves, with the openssl command line).

Real clients (Python's ssl, curl --cacert) against the real binary: answers and bodies byte for
byte, ALPN, refused protocol versions, plain HTTP and garbage sent to the TLS port, a client
that stalls mid-handshake, session resumption on another worker and after a reload, a reload
that swaps the certificate, a broken pair that keeps the old one, and -t on bad pairs.
Certificates chosen by SNI (tls.certificates): each name, a wildcard, no SNI and an unknown name
(the default), resumption, a reload that swaps one of them, a broken one that keeps them all,
and -t on bad ones. The teaching models refuse TLS listeners at -t and at start."""

import calendar
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

from docroot import A_TXT, ServerTestCase, make_site
from learnhttpd_harness import (
    Server, binary_path, parse_response, pseudo_random_bytes, read_responses, read_until_close,
    sha256, stop_process, wait_until, worker_model)
from tls_pki import Pki, openssl_available

PRODUCTION = worker_model() in ("event", "threadpool")
LARGE = pseudo_random_bytes(3 * 1024 * 1024 + 17, "tls-large")

pki = None  # the module's certificates (setUpModule)


def setUpModule():
    global pki
    if not openssl_available():
        raise unittest.SkipTest("the openssl command is not installed")
    pki = Pki()
    pki.good = pki.leaf("good", 0x1001)
    pki.other = pki.leaf("other", 0x2002)
    # For SNI: two names, a wildcard, a renewal of the first, and one without a DNS name.
    pki.site_a = pki.leaf("site-a", 0x5005, san="DNS:a.test,DNS:www.a.test", cn="a.test")
    pki.site_b = pki.leaf("site-b", 0x6006, san="DNS:*.b.test", cn="*.b.test")
    pki.site_a2 = pki.leaf("site-a2", 0x5006, san="DNS:a.test,DNS:www.a.test", cn="a.test")
    pki.no_dns = pki.leaf("no-dns", 0x7007, san="IP:127.0.0.2", cn="no-dns")
    pki.client = pki.client_context()  # one context: a session resumes only through its own


def tearDownModule():
    if pki is not None:
        pki.close()


def tls_connect(srv, ctx=None, session=None, timeout=5.0, name="localhost"):
    """A TLS connection that sends `name` as SNI and checks the certificate against it; None:
    no SNI, and only the chain is checked."""
    if name is None and ctx is None:
        ctx = pki.client_context()
        ctx.check_hostname = False
    raw = socket.create_connection((srv.host, srv.port), timeout=timeout)
    try:
        return (ctx or pki.client).wrap_socket(raw, server_hostname=name, session=session)
    except BaseException:
        raw.close()
        raise


def https_get(srv, target, method="GET", session=None, ctx=None, name="localhost"):
    """One request with Connection: close over a new TLS connection: (Response, SSLSocket info
    as a dict: session, reused, serial)."""
    with tls_connect(srv, ctx, session, name=name) as sock:
        sock.sendall(f"{method} {target} HTTP/1.1\r\nHost: {name or 'localhost'}\r\n"
                     "Connection: close\r\n\r\n".encode())
        data, closed = read_until_close(sock, 10.0)
        info = {"session": sock.session, "reused": sock.session_reused,
                "serial": serial_of(sock), "closed": closed}
    return parse_response(data, method), info


def serial_of(sock):
    der = sock.getpeercert(binary_form=True)
    with tempfile.NamedTemporaryFile(suffix=".der") as f:
        f.write(der)
        f.flush()
        out = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", f.name, "-noout",
                              "-serial"], check=True, capture_output=True, text=True, timeout=10)
    return out.stdout.strip().split("=", 1)[1]


def s_client_serial(srv, name):
    """The serial of the certificate `openssl s_client` is sent when it asks for the SNI name
    `name` (None: no SNI), spelled as given (no case folding on the way)."""
    args = ["openssl", "s_client", "-connect", f"127.0.0.1:{srv.port}", "-CAfile", pki.ca]
    args += ["-noservername"] if name is None else ["-servername", name]
    out = subprocess.run(args, input=b"", capture_output=True, timeout=15, check=False)
    cert = subprocess.run(["openssl", "x509", "-noout", "-serial"], input=out.stdout,
                          capture_output=True, timeout=10, check=False)
    if cert.returncode != 0:
        raise AssertionError(f"s_client {name}: no certificate:\n{out.stdout.decode()}"
                             f"{out.stderr.decode()}")
    return cert.stdout.decode().strip().split("=", 1)[1]


def sni_pairs(*pairs):
    return [{"certificate": chain, "key": key} for chain, key in pairs]


def tls_config(chain_key, hsts=None, **extra):
    chain, key = chain_key
    config = {"listen": ["127.0.0.1:0 ssl"], "tls": {"certificate": chain, "key": key}}
    if hsts is not None:
        config["tls"]["hsts"] = hsts
    config.update(extra)
    return config


def error_lines(srv):
    """Lines logged at error level or above (the client mistakes must log none)."""
    return [line for line in srv.stderr_lines() if re.search(r"\b(error|critical)\b", line)]


@unittest.skipUnless(PRODUCTION, "the teaching models refuse TLS listeners (TeachingModels)")
class TlsServing(ServerTestCase):
    @classmethod
    def make_site(cls):
        site, root = make_site()
        with open(os.path.join(root, "large.bin"), "wb") as f:
            f.write(LARGE)
        return site, root

    @classmethod
    def server_config(cls):
        return tls_config(pki.good, hsts="24h", header_timeout="1s", workers=2)

    def test_alpn_without_a_protocol_in_common_is_refused(self):
        # RFC 7301 section 3.2: a fatal no_application_protocol alert (nginx does the same since
        # 1.21.4), not a connection on which the client cannot know what will be spoken.
        with self.assertRaises(ssl.SSLError) as caught:
            tls_connect(self.srv, pki.client_context(alpn=("spdy/3", "x-unknown"))).close()
        self.assertRegex(str(caught.exception).upper(), r"NO.APPLICATION.PROTOCOL")
        # A client that sends no ALPN at all is served, as before.
        with tls_connect(self.srv, pki.client_context(alpn=())) as sock:
            self.assertIsNone(sock.selected_alpn_protocol())
            sock.sendall(b"GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            responses, _ = read_responses(sock, 1)
            self.assertEqual((responses[0].status, responses[0].body), (200, A_TXT))

    def test_get_head_and_keepalive_with_alpn(self):
        with tls_connect(self.srv) as sock:
            self.assertEqual(sock.selected_alpn_protocol(), "http/1.1")
            self.assertIn(sock.version(), ("TLSv1.2", "TLSv1.3"))
            sock.sendall(b"GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                         b"HEAD /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
            responses, closed = read_responses(sock, 2, methods=("GET", "HEAD"))
            self.assertFalse(closed)
            self.assertEqual([r.status for r in responses], [200, 200])
            self.assertEqual(responses[0].body, A_TXT)
            self.assertEqual(responses[1].body, b"")
            self.assertEqual(responses[1].headers["Content-Length"], str(len(A_TXT)))
            for resp in responses:
                self.assertEqual(resp.headers.get("Strict-Transport-Security"), "max-age=86400")
            # The same connection serves on after the pipelined pair.
            sock.sendall(b"GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            data, closed = read_until_close(sock, 5.0)
            self.assertTrue(closed)
            self.assertEqual(parse_response(data).body, A_TXT)

    def test_large_file_byte_exact(self):
        resp, info = https_get(self.srv, "/large.bin")
        self.assertEqual(resp.status, 200)
        self.assertEqual(sha256(resp.body), sha256(LARGE))
        self.assertTrue(info["closed"])
        # A range of it, from the middle of a 32 KiB chunk to past the next one.
        with tls_connect(self.srv) as sock:
            sock.sendall(b"GET /large.bin HTTP/1.1\r\nHost: localhost\r\n"
                         b"Range: bytes=40000-140000\r\nConnection: close\r\n\r\n")
            data, _ = read_until_close(sock, 10.0)
        resp = parse_response(data)
        self.assertEqual(resp.status, 206)
        self.assertEqual(resp.body, LARGE[40000:140001])

    @unittest.skipIf(shutil.which("curl") is None, "curl is not installed")
    def test_curl_with_the_ca_and_old_versions_refused(self):
        url = f"https://localhost:{self.srv.port}/large.bin"
        resolve = f"localhost:{self.srv.port}:127.0.0.1"
        out = subprocess.run(["curl", "-sS", "--cacert", pki.ca, "--resolve", resolve, url],
                             capture_output=True, timeout=30, check=False)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(sha256(out.stdout), sha256(LARGE))
        for version in ("1.0", "1.1"):
            with self.subTest(version=version):
                old = subprocess.run(["curl", "-sS", "--cacert", pki.ca, "--resolve", resolve,
                                      f"--tlsv{version}", "--tls-max", version, url],
                                     capture_output=True, timeout=30, check=False)
                self.assertNotEqual(old.returncode, 0)
                self.assertEqual(old.stdout, b"")

    def test_kernel_tls_found_once_and_logged_once(self):
        # Where the kernel has the tls module loaded, file bodies go by SSL_sendfile on
        # connections it encrypts (test_large_file_byte_exact then covers that path); here
        # it usually has not, and they go through SSL_write.
        try:
            with open("/proc/sys/net/ipv4/tcp_available_ulp", encoding="ascii") as f:
                available = "tls" in f.read().split()
        except OSError:
            available = False
        lines = [line for line in self.srv.stderr_lines() if "tls: kernel TLS" in line]
        self.assertEqual(len(lines), 1, lines)
        expected = ("kernel TLS is available (TCP_ULP tls) and enabled" if available
                    else "kernel TLS is not available (no tls in ")
        without = "kernel TLS is not used: this OpenSSL was built without it"
        self.assertTrue(expected in lines[0] or without in lines[0], lines[0])

    def test_plain_http_to_tls_port_gets_400_and_close(self):
        with self.srv.connect() as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            data, closed = read_until_close(sock, 5.0)
        self.assertTrue(closed, data)
        resp = parse_response(data)
        self.assertEqual(resp.status, 400)
        self.assertEqual(resp.headers.get("Connection"), "close")
        self.assertIsNone(resp.headers.get("Strict-Transport-Security"))  # not over TLS
        self.assertEqual(https_get(self.srv, "/a.txt")[0].body, A_TXT)

    def test_hsts_on_error_answers_too(self):
        resp, _ = https_get(self.srv, "/no-such-file")
        self.assertEqual(resp.status, 404)
        self.assertEqual(resp.headers.get("Strict-Transport-Security"), "max-age=86400")

    def test_garbage_and_truncated_records_are_closed_quietly(self):
        hello = bytes.fromhex("16030100c8010000c40303") + b"\x00" * 20  # a cut ClientHello
        cases = [pseudo_random_bytes(600, "garbage"), b"\x16\x03\x01\xff\xff" + b"\x01" * 64,
                 b"\x17\x03\x03\x00\x10" + b"\x00" * 16]
        for data in cases:
            with self.subTest(data=data[:8]):
                with self.srv.connect() as sock:
                    sock.sendall(data)
                    _, closed = read_until_close(sock, 5.0)
                self.assertTrue(closed)
        # Truncated: half a ClientHello, then the client closes its side.
        with self.srv.connect() as sock:
            sock.sendall(hello)
            sock.shutdown(socket.SHUT_WR)
            self.assertTrue(read_until_close(sock, 5.0)[1])
        # A client that drops the connection after the handshake, mid-request.
        with tls_connect(self.srv) as sock:
            sock.sendall(b"GET /a.txt HTTP/1.1\r\nHo")
        self.assertEqual(https_get(self.srv, "/a.txt")[0].body, A_TXT)
        self.assertEqual(error_lines(self.srv), [])

    def test_renegotiation_is_refused_and_the_worker_serves_on(self):
        # s_client renegotiates on a line "R"; it keeps stdin open, so only the server's
        # answer (a no_renegotiation alert) ends it.
        client = subprocess.Popen(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{self.srv.port}", "-tls1_2",
             "-CAfile", pki.ca, "-servername", "localhost"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            client.stdin.write(b"R\n")
            client.stdin.flush()
            client.wait(timeout=10)  # its output is far below a pipe's capacity
            out = client.stdout.read()
        finally:
            client.stdin.close()
            client.stdout.close()
            if client.poll() is None:
                client.kill()
                client.wait()
        self.assertIn(b"RENEGOTIATING", out)
        self.assertIn(b"no renegotiation", out)
        self.assertEqual(https_get(self.srv, "/a.txt")[0].body, A_TXT)
        self.assertEqual(error_lines(self.srv), [])

    def test_stalled_handshake_is_closed_by_header_timeout(self):
        # Half a ClientHello record and then silence: cut off at header_timeout (1 s).
        with self.srv.connect(timeout=10.0) as sock:
            started = time.monotonic()
            sock.sendall(bytes.fromhex("160301020001"))
            data, closed = read_until_close(sock, 8.0)
            elapsed = time.monotonic() - started
        self.assertTrue(closed)
        self.assertEqual(data, b"")
        self.assertGreater(elapsed, 0.8)
        self.assertLess(elapsed, 5.0)
        self.assertEqual(error_lines(self.srv), [])

    def test_session_resumes_on_another_worker(self):
        workers = self.srv.wait_for_workers(2)
        self.assertEqual(len(workers), 2)
        first, second = workers

        def stop(pid):
            self.assertTrue(stop_process(pid), pid)

        try:
            # Only `first` can accept: it issues the ticket.
            stop(second)
            resp, info = https_get(self.srv, "/a.txt")
            self.assertEqual(resp.body, A_TXT)
            self.assertFalse(info["reused"])
            os.kill(second, signal.SIGCONT)
            # Only `second` can accept now: it never saw the session.
            stop(first)
            resp, info = https_get(self.srv, "/a.txt", session=info["session"])
            self.assertEqual(resp.body, A_TXT)
            self.assertTrue(info["reused"], "the other worker did not resume the session")
        finally:
            os.kill(first, signal.SIGCONT)
            os.kill(second, signal.SIGCONT)


@unittest.skipUnless(PRODUCTION, "the teaching models refuse TLS listeners (TeachingModels)")
class TlsReload(unittest.TestCase):
    def setUp(self):
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)
        # Copies, so the test can break the pair the server's config names.
        self.dir = tempfile.mkdtemp(prefix="learnhttpd-tls-reload-")
        self.addCleanup(shutil.rmtree, self.dir)
        self.chain, self.key = os.path.join(self.dir, "chain.pem"), os.path.join(self.dir, "key.pem")
        self.install(pki.good)
        self.srv = Server(self.root, config=tls_config((self.chain, self.key), workers=1))
        self.addCleanup(self.srv.close)

    def install(self, pair):
        shutil.copyfile(pair[0], self.chain)
        shutil.copyfile(pair[1], self.key)

    def hup(self, generation):
        # The old worker keeps accepting until the new generation is ready, and then until it
        # has taken its QUIT: only after its "graceful stop" line (logged once its listening
        # sockets are closed) is every new connection the new generation's.
        mark = self.srv.log_mark()
        self.srv.signal(signal.SIGHUP)
        return (self.srv.wait_for_log(rf"master: generation {generation} ready", 10.0, mark)
                and self.srv.wait_for_log(r"worker \d+: graceful stop", 10.0, mark))

    def test_reload_swaps_certificate_and_keeps_sessions(self):
        resp, info = https_get(self.srv, "/a.txt")
        self.assertEqual(info["serial"], "1001")
        self.assertIsNone(resp.headers.get("Strict-Transport-Security"))  # hsts is off by default
        session = info["session"]
        self.install(pki.other)
        self.assertTrue(self.hup(2), "\n".join(self.srv.stderr_lines()))
        resp, info = https_get(self.srv, "/a.txt")
        self.assertEqual(resp.body, A_TXT)
        self.assertEqual(info["serial"], "2002")
        # A ticket from generation 1 (previous ticket key) resumes in generation 2.
        resp, info = https_get(self.srv, "/a.txt", session=session)
        self.assertEqual(resp.body, A_TXT)
        self.assertTrue(info["reused"], "a ticket from before the reload did not resume")
        self.srv.stop()

    def test_broken_pair_keeps_the_old_one(self):
        # The new certificate with the old key: they do not match.
        shutil.copyfile(pki.other[0], self.chain)
        out = subprocess.run([binary_path(), "-c", self.srv.config_path, "-s", "reload"],
                             capture_output=True, text=True, timeout=30, check=False)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn(f"tls.key {self.key} does not match the certificate in {self.chain}",
                      out.stderr)
        mark = self.srv.log_mark()
        self.srv.signal(signal.SIGHUP)
        match = self.srv.wait_for_log(r"master: reload failed, keeping generation 1: (.*)$",
                                      10.0, mark)
        self.assertTrue(match, "\n".join(self.srv.stderr_lines()[mark:]))
        self.assertIn(f"tls.key {self.key} does not match", match.group(1))
        resp, info = https_get(self.srv, "/a.txt")
        self.assertEqual(resp.body, A_TXT)
        self.assertEqual(info["serial"], "1001")
        self.srv.stop()


@unittest.skipUnless(PRODUCTION, "the teaching models refuse TLS listeners (TeachingModels)")
class TlsSni(ServerTestCase):
    """The default pair (localhost, serial 1001) and two chosen by SNI: a.test and www.a.test
    (5005), *.b.test (6006)."""

    @classmethod
    def server_config(cls):
        config = tls_config(pki.good, workers=1)
        config["tls"]["certificates"] = sni_pairs(pki.site_a, pki.site_b)
        return config

    def test_each_name_gets_its_certificate(self):
        # Python's ssl checks the certificate against the name, so a wrong one fails here.
        for name, serial in (("a.test", "5005"), ("www.a.test", "5005"), ("x.b.test", "6006"),
                             ("localhost", "1001")):
            with self.subTest(name=name):
                resp, info = https_get(self.srv, "/a.txt", name=name)
                self.assertEqual(resp.body, A_TXT)
                self.assertEqual(info["serial"], serial)
        # Names compare without regard to case.
        self.assertEqual(s_client_serial(self.srv, "WWW.A.Test"), "5005")
        self.assertEqual(s_client_serial(self.srv, "X.B.TEST"), "6006")

    def test_wildcard_stands_for_one_label_only(self):
        self.assertEqual(s_client_serial(self.srv, "other-name.b.test"), "6006")
        self.assertEqual(s_client_serial(self.srv, "b.test"), "1001")
        self.assertEqual(s_client_serial(self.srv, "y.x.b.test"), "1001")

    def test_a_final_dot_names_the_same_host(self):
        # "a.test." is the fully qualified spelling of "a.test" (RFC 6066 section 3 leaves the
        # dot out, but clients send it when the user typed it): the same certificate, and the
        # request for that host is answered, not 421.
        self.assertEqual(s_client_serial(self.srv, "a.test."), "5005")
        self.assertEqual(s_client_serial(self.srv, "X.b.test."), "6006")
        request = b"GET /a.txt HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"
        out = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{self.srv.port}",
                              "-CAfile", pki.ca, "-servername", "a.test.", "-quiet",
                              "-ign_eof"],
                             input=request, capture_output=True, timeout=15, check=False)
        self.assertTrue(out.stdout.startswith(b"HTTP/1.1 200 "), out.stdout[:200])
        self.assertTrue(out.stdout.endswith(A_TXT), out.stdout[-200:])

    def test_no_sni_and_unknown_names_get_the_default(self):
        resp, info = https_get(self.srv, "/a.txt", name=None)
        self.assertEqual(resp.body, A_TXT)
        self.assertEqual(info["serial"], "1001")
        self.assertEqual(s_client_serial(self.srv, None), "1001")
        self.assertEqual(s_client_serial(self.srv, "unknown.test"), "1001")
        self.assertEqual(s_client_serial(self.srv, "a.test.unknown"), "1001")

    @unittest.skipIf(shutil.which("curl") is None, "curl is not installed")
    def test_curl_verifies_each_name(self):
        for name in ("a.test", "www.a.test", "x.b.test"):
            with self.subTest(name=name):
                out = subprocess.run(
                    ["curl", "-sS", "--cacert", pki.ca, "--resolve",
                     f"{name}:{self.srv.port}:127.0.0.1", f"https://{name}:{self.srv.port}/a.txt"],
                    capture_output=True, timeout=30, check=False)
                self.assertEqual(out.returncode, 0, out.stderr)
                self.assertEqual(out.stdout, A_TXT)

    def test_session_resumes_under_an_sni_certificate(self):
        ctx = pki.client_context()
        _, first = https_get(self.srv, "/a.txt", ctx=ctx, name="a.test")
        self.assertFalse(first["reused"])
        resp, again = https_get(self.srv, "/a.txt", ctx=ctx, name="a.test",
                                session=first["session"])
        self.assertEqual(resp.body, A_TXT)
        self.assertTrue(again["reused"], "a session under the a.test certificate did not resume")
        self.assertEqual(again["serial"], "5005")

    def test_start_up_log_names_what_each_certificate_serves(self):
        lines = "\n".join(self.srv.stderr_lines())
        self.assertRegex(lines, r"tls: certificate CN=localhost serial 1001, .* the default "
                                r"\(no SNI, or a name no certificate has\); names localhost")
        self.assertRegex(lines, rf"tls: certificate CN=a\.test serial 5005, .*from "
                                rf"{re.escape(pki.site_a[0])}: for SNI names a\.test, www\.a\.test")
        self.assertRegex(lines, r"tls: certificate CN=\*\.b\.test serial 6006, .*: for SNI "
                                r"names \*\.b\.test")


@unittest.skipUnless(PRODUCTION, "the teaching models refuse TLS listeners (TeachingModels)")
class TlsSniReload(unittest.TestCase):
    """A reload re-reads every pair; one broken pair keeps all the old ones serving."""

    def setUp(self):
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)
        self.dir = tempfile.mkdtemp(prefix="learnhttpd-sni-reload-")
        self.addCleanup(shutil.rmtree, self.dir)
        self.default = self.copy(pki.good, "default")
        self.a = self.copy(pki.site_a, "a")
        config = tls_config(self.default, workers=1)
        config["tls"]["certificates"] = sni_pairs(self.a, pki.site_b)
        self.srv = Server(self.root, config=config)
        self.addCleanup(self.srv.close)

    def copy(self, pair, name):
        paths = (os.path.join(self.dir, name + ".pem"), os.path.join(self.dir, name + ".key"))
        self.install(pair, paths)
        return paths

    @staticmethod
    def install(pair, paths):
        for source, target in zip(pair, paths):
            shutil.copyfile(source, target)

    def serials(self):
        return {name: s_client_serial(self.srv, name) for name in ("localhost", "a.test", "x.b.test")}

    def test_reload_swaps_one_sni_certificate(self):
        self.assertEqual(self.serials(), {"localhost": "1001", "a.test": "5005", "x.b.test": "6006"})
        self.install(pki.site_a2, self.a)
        mark = self.srv.log_mark()
        self.srv.signal(signal.SIGHUP)
        self.assertTrue(self.srv.wait_for_log(r"tls: certificate CN=a\.test serial 5006, ", 10.0,
                                              mark), "\n".join(self.srv.stderr_lines()[mark:]))
        self.assertTrue(self.srv.wait_for_log(r"master: generation 2 ready", 10.0, mark))
        self.assertTrue(self.srv.wait_for_log(r"worker \d+: graceful stop", 10.0, mark))
        self.assertEqual(self.serials(), {"localhost": "1001", "a.test": "5006", "x.b.test": "6006"})
        self.srv.stop()

    def test_broken_sni_pair_keeps_every_old_pair(self):
        # The default is renewed correctly, but a.test's new certificate is not its key's.
        self.install(pki.other, self.default)
        shutil.copyfile(pki.site_a2[0], self.a[0])
        expected = f"tls.certificates[0].key {self.a[1]} does not match the certificate in {self.a[0]}"
        out = subprocess.run([binary_path(), "-c", self.srv.config_path, "-s", "reload"],
                             capture_output=True, text=True, timeout=30, check=False)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn(expected, out.stderr)
        mark = self.srv.log_mark()
        self.srv.signal(signal.SIGHUP)
        match = self.srv.wait_for_log(r"master: reload failed, keeping generation 1: (.*)$",
                                      10.0, mark)
        self.assertTrue(match, "\n".join(self.srv.stderr_lines()[mark:]))
        self.assertIn(expected, match.group(1))
        self.assertEqual(self.serials(), {"localhost": "1001", "a.test": "5005", "x.b.test": "6006"})
        self.srv.stop()


class ConfigCheck(unittest.TestCase):
    """learnhttpd -t on TLS settings (and the teaching models' refusal, at -t and at start)."""

    def setUp(self):
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)
        self.dir = tempfile.mkdtemp(prefix="learnhttpd-tls-check-")
        self.addCleanup(shutil.rmtree, self.dir)

    def check(self, tls, model="event", start=False):
        config = {"listen": ["127.0.0.1:0 ssl"], "document_root": self.root, "user": "",
                  "pid_file": "", "worker_model": model, "tls": tls,
                  "log": {"error_log": "stderr", "access_log": "off"}}
        path = os.path.join(self.dir, "learnhttpd.yaml")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(config, f)
        args = [binary_path(), "-c", path] + ([] if start else ["-t"])
        return subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)

    def pair(self, chain_key):
        return {"certificate": chain_key[0], "key": chain_key[1]}

    @unittest.skipUnless(PRODUCTION, "runs once per production model")
    def test_good_pair_passes(self):
        out = self.check(self.pair(pki.good))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("configuration ok", out.stdout)
        self.assertNotIn("warning", out.stdout)

    @unittest.skipUnless(PRODUCTION, "runs once per production model")
    def test_bad_pairs_are_errors_naming_the_file(self):
        missing = os.path.join(self.dir, "missing.pem")
        cases = [
            ({"certificate": pki.good[0], "key": pki.other[1]},
             f"tls.key {pki.other[1]} does not match the certificate in {pki.good[0]}"),
            ({"certificate": missing, "key": pki.good[1]},
             f"tls.certificate {missing}: cannot load the certificate chain: No such file"),
            ({"certificate": pki.good[0], "key": pki.ca},
             f"tls.key {pki.ca}: cannot load the private key"),
        ]
        for tls, expected in cases:
            with self.subTest(expected=expected):
                out = self.check(tls)
                self.assertEqual(out.returncode, 1, out.stdout)
                self.assertIn(expected, out.stderr)

    @unittest.skipUnless(PRODUCTION, "runs once per production model")
    def test_expired_is_an_error_and_expiring_soon_a_warning(self):
        expired = pki.leaf("expired", 0x3003, days=0)
        # Its notAfter is the second it was made: wait until that second has passed.
        end = subprocess.run(["openssl", "x509", "-in", expired[0], "-noout", "-enddate"],
                             check=True, capture_output=True, text=True, timeout=10).stdout
        not_after = calendar.timegm(time.strptime(end.split("=", 1)[1].strip(),
                                                  "%b %d %H:%M:%S %Y %Z"))
        self.assertTrue(wait_until(lambda: time.time() >= not_after + 1, 5.0))
        out = self.check(self.pair(expired))
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertRegex(out.stderr, rf"tls\.certificate {re.escape(expired[0])} expired on ")
        # A start refuses it too, with the same line.
        started = self.check(self.pair(expired), start=True)
        self.assertEqual(started.returncode, 1)
        self.assertIn("expired on", started.stderr)
        soon = pki.leaf("soon", 0x4004, days=5)
        out = self.check(self.pair(soon))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, rf"warning: tls\.certificate {re.escape(soon[0])} expires on "
                                     r".* within 14 days")

    @unittest.skipUnless(PRODUCTION, "runs once per production model")
    def test_bad_sni_pairs_are_errors_naming_the_file(self):
        tls = self.pair(pki.good)
        tls["certificates"] = [
            self.pair(pki.site_b),
            {"certificate": pki.site_a[0], "key": pki.site_b[1]},
            self.pair(pki.no_dns),
        ]
        out = self.check(tls)
        self.assertEqual(out.returncode, 1, out.stdout)
        # Every broken pair is reported, each naming its key in the file and its files.
        self.assertIn(f"tls.certificates[1].key {pki.site_b[1]} does not match the certificate "
                      f"in {pki.site_a[0]}", out.stderr)
        self.assertIn(f"tls.certificates[2].certificate {pki.no_dns[0]} has no DNS name in its "
                      "subjectAltName, so no SNI name selects it", out.stderr)
        self.assertNotIn("tls.certificates[0]", out.stderr)
        # Good pairs pass, and one expiring soon is a warning naming it.
        soon = pki.leaf("sni-soon", 0x8008, days=5, san="DNS:soon.test")
        tls["certificates"] = [self.pair(pki.site_a), self.pair(soon)]
        out = self.check(tls)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, rf"warning: tls\.certificates\[1\]\.certificate "
                                     rf"{re.escape(soon[0])} expires on .* within 14 days")

    @unittest.skipUnless(PRODUCTION, "runs once per production model")
    def test_a_name_served_twice_is_a_warning(self):
        tls = self.pair(pki.good)
        tls["certificates"] = [self.pair(pki.site_a), self.pair(pki.site_a2)]
        out = self.check(tls)
        # site_a2 has no name of its own: it could never be served.
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn(f"tls.certificates[1].certificate {pki.site_a2[0]} has no DNS name of its "
                      "own (a.test, www.a.test)", out.stderr)
        # One name of two taken: served for the other, with a warning.
        more = pki.leaf("site-a-more", 0x9009, san="DNS:A.test,DNS:more.a.test")
        tls["certificates"] = [self.pair(pki.site_a), self.pair(more)]
        out = self.check(tls)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(f"warning: tls.certificates[1].certificate {more[0]}: A.test is already "
                      f"served by tls.certificates[0].certificate {pki.site_a[0]}", out.stdout)

    def test_ssl_address_needs_the_pair(self):
        out = self.check({})
        self.assertEqual(out.returncode, 1)
        self.assertRegex(out.stderr, r"learnhttpd\.yaml:1: listen: an \"ssl\" address needs "
                                     r"tls\.certificate and tls\.key")

    def test_teaching_models_refuse_tls_listeners(self):
        model = "blocking" if PRODUCTION else worker_model()
        expected = (f"worker_model {model} does not serve TLS listeners (\"ssl\" in listen); "
                    "use event or threadpool")
        out = self.check(self.pair(pki.good), model=model)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn(expected, out.stderr)
        started = self.check(self.pair(pki.good), model=model, start=True)
        self.assertEqual(started.returncode, 1, started.stderr)
        self.assertIn(expected, started.stderr)


if __name__ == "__main__":
    unittest.main()
