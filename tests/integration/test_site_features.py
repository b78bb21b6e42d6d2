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


# ---- directory listings ------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# A file name that is markup if a listing forgets to escape it, and one that would run script.
SCRIPT_NAME = '"><script>'
IMG_NAME = "<img src=x onerror=document.body.setAttribute('data-pwned','1')>"


def chromium_dom(url):
    """The DOM headless Chromium has after loading `url` (its scripts run, images fail), with a
    fresh profile; the browser and all its children are gone when this returns."""
    import signal  # noqa: PLC0415
    profile = tempfile.mkdtemp(prefix="learnhttpd-chromium-")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--no-first-run", "--disable-component-update",
           "--disable-sync", "--disable-crash-reporter", "--disable-breakpad",
           f"--user-data-dir={profile}", "--virtual-time-budget=3000", "--dump-dom", url]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=60)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # its renderers and helpers, whatever happened
        except ProcessLookupError:
            pass
        proc.wait()
        # A helper that left the group (a crash handler does) is found by the profile it names.
        for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    mine = profile.encode() in f.read()
                if mine:
                    os.kill(pid, signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                pass
        shutil.rmtree(profile, ignore_errors=True)
    return out.decode("utf-8", "replace")


class Listings(FeatureServer):
    TREE = {
        "pub": {
            "b.txt": "bb",
            "A.txt": "a",
            ".secret": "hidden",
            SCRIPT_NAME: "script-name",
            IMG_NAME: "img-name",
            "caf\u00e9 & co.txt": "cafe",
            "sub": {"deep.txt": "deep"},
            "with index": {"index.html": "<p>an index</p>"},
        },
        "private": {"x.txt": "x"},
        # The control: the same names pasted into a page unescaped, as a careless listing would.
        "control.html": f"<!DOCTYPE html><html><body><a href=y>{IMG_NAME}</a>"
                        f"<a href=x>{SCRIPT_NAME}</a></body></html>",
    }
    CONFIG = {"listing": {"paths": ["/pub/"], "max_entries": 100}, "gzip": {"enabled": True},
              "sites": [{"names": "localhost", "default": True},
                        {"names": "nolist.example", "listing": False}]}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        outside = os.path.join(cls.tmp.name, "outside.txt")
        with open(outside, "w", encoding="utf-8") as f:
            f.write("outside the root")
        os.symlink(outside, os.path.join(cls.root, "pub", "escape"))
        os.symlink("../private/x.txt", os.path.join(cls.root, "pub", "inside-link"))

    def test_every_link_leads_to_its_file(self):
        from html.parser import HTMLParser  # noqa: PLC0415
        from urllib.parse import urljoin  # noqa: PLC0415

        class Links(HTMLParser):
            def __init__(self):
                super().__init__()
                self.links = []  # (href, text)
                self._href = None

            def handle_starttag(self, tag, attrs):
                if tag == "a":
                    self._href = dict(attrs)["href"]

            def handle_data(self, data):
                if self._href is not None:
                    self.links.append((self._href, data))
                    self._href = None

        status, body = curl(self.url("/pub/"))
        self.assertEqual(status, 0)
        parser = Links()
        parser.feed(body.decode())
        texts = [text for _, text in parser.links]
        # Directories first, then names bytewise: '"' and '<' sort before letters.
        self.assertEqual(texts, ["../", "sub/", "with index/", '"><script>', IMG_NAME, "A.txt",
                                 "b.txt", "caf\u00e9 & co.txt", "inside-link"])
        for href, text in parser.links:
            if text.endswith("/"):
                continue
            url = urljoin(self.url("/pub/"), href)
            status, got = curl(url)
            expected = {SCRIPT_NAME: b"script-name", IMG_NAME: b"img-name", "inside-link": b"x",
                        "A.txt": b"a", "b.txt": b"bb", "caf\u00e9 & co.txt": b"cafe"}[text]
            self.assertEqual((status, got), (0, expected), (href, url))
            if NODE:
                self.assertEqual(browser_location(self.url("/pub/"), href), url)

    def test_json_for_programs(self):
        status, body = curl("-H", "Accept: application/json", self.url("/pub/"))
        self.assertEqual(status, 0)
        listing = json.loads(body)
        self.assertEqual(listing["path"], "/pub/")
        names = [e["name"] for e in listing["entries"]]
        self.assertEqual(names[:2], ["sub", "with index"])
        self.assertIn(SCRIPT_NAME, names)
        self.assertNotIn(".secret", names)
        self.assertNotIn("escape", names)
        entry = next(e for e in listing["entries"] if e["name"] == "b.txt")
        self.assertEqual((entry["type"], entry["size"], entry["href"]), ("file", 2, "b.txt"))
        self.assertRegex(entry["modified"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertFalse(listing["truncated"])
        self.assertEqual(json.loads(self.srv.get("/pub/?format=json").body)["path"], "/pub/")

    def test_revalidation_head_and_gzip(self):
        first = self.srv.get("/pub/")
        self.assertEqual(first.headers["Vary"], "Accept, Accept-Encoding")
        etag = first.headers["ETag"]
        self.assertTrue(etag.startswith('W/"'), etag)
        self.assertEqual(self.srv.get("/pub/", {"If-None-Match": etag}).status, 304)
        self.assertEqual(self.srv.get("/pub/", {"If-Modified-Since":
                                                first.headers["Last-Modified"]}).status, 304)
        head = self.srv.head("/pub/")
        self.assertEqual(head.headers["Content-Length"], str(len(first.body)))
        status, out = curl("--compressed", "-w", "\n%{size_download}", self.url("/pub/"))
        body, downloaded = out.rsplit(b"\n", 1)
        self.assertEqual(body, first.body)
        self.assertLess(int(downloaded), len(first.body), "sent compressed")

    def test_what_is_not_listed(self):
        self.assertEqual(self.srv.get("/private/").status, 404, "not under listing.paths")
        self.assertEqual(self.srv.get("/pub/", {"Host": "nolist.example"}).status, 404)
        self.assertEqual(self.srv.get("/pub/with%20index/").body, b"<p>an index</p>")
        self.assertEqual(self.srv.get("/pub/.secret/").status, 404)
        self.assertNotIn(b"outside", self.srv.get("/pub/").body)

    @unittest.skipIf(CHROMIUM is None, "chromium is not installed")
    def test_a_browser_shows_hostile_names_as_text(self):
        import re  # noqa: PLC0415
        pwned = re.compile(r"<body[^>]*data-pwned")
        # The control proves the probe: unescaped, the names are elements and the script runs.
        control = chromium_dom(self.url("/control.html"))
        self.assertRegex(control, pwned, control[:2000])
        self.assertIn("<img", control)
        self.assertIn("<script", control)
        dom = chromium_dom(self.url("/pub/"))
        self.assertIn("Index of /pub/", dom, dom[:2000])
        self.assertNotRegex(dom, pwned)
        body = dom[dom.index("<body"):]
        self.assertNotIn("<script", body)
        self.assertNotIn("<img", body)
        # Shown as text (the DOM serialiser escapes it again), inside the link to the file.
        self.assertIn('<a href="%22%3E%3Cscript%3E">"&gt;&lt;script&gt;</a>', body)
        self.assertIn("&lt;img src=x onerror=document.body.setAttribute('data-pwned','1')&gt;"
                      "</a>", body)


# ---- basic auth --------------------------------------------------------------------------------

HTPASSWD = shutil.which("htpasswd")


def htpasswd_line(user, password, *flags):
    """A line of htpasswd(1) (-n: to stdout, -b: password on the command line)."""
    done = subprocess.run([HTPASSWD, "-nb", *flags, user, password], capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout.strip() + "\n"


@unittest.skipIf(HTPASSWD is None, "htpasswd (apache2-utils) is not installed")
class BasicAuth(FeatureServer):
    TREE = {"index.html": "<p>public</p>",
            "private": {"plan.txt": "the plan", "index.html": "<p>private index</p>"}}

    @classmethod
    def server_config(cls):
        cls.passwords = os.path.join(cls.tmp.name, "staff.htpasswd")
        # Cost 12: a check long enough that a loop it held would visibly hold other requests.
        with open(cls.passwords, "w", encoding="utf-8") as f:
            f.write(htpasswd_line("alice", "s3cret", "-B") +
                    htpasswd_line("slow", "patience", "-B", "-C", "14"))
        return {"workers": 1,
                "auth": [{"path": "/private/", "realm": "Staff only",
                          "htpasswd": cls.passwords}],
                "sites": [{"names": "localhost", "default": True},
                          {"names": "open.example", "auth": []}]}

    def test_curl_with_and_without_the_password(self):
        status, out = curl("-w", "\n%{http_code}", self.url("/private/plan.txt"))
        self.assertEqual(out.rsplit(b"\n", 1)[1], b"401")
        status, out = curl("--user", "alice:s3cret", self.url("/private/plan.txt"))
        self.assertEqual((status, out), (0, b"the plan"))
        status, out = curl("--user", "alice:wrong", "-w", "%{http_code}",
                           "-o", "/dev/null", self.url("/private/"))
        self.assertEqual(out, b"401")
        resp = self.srv.get("/private/plan.txt")
        self.assertEqual(resp.headers["WWW-Authenticate"],
                         'Basic realm="Staff only", charset="UTF-8"')
        self.assertNotIn(b"the plan", resp.body)
        self.assertEqual(self.srv.get("/").body, b"<p>public</p>")
        self.assertEqual(self.srv.get("/private/plan.txt", {"Host": "open.example"}).body,
                         b"the plan", "the rule is its site's")

    def test_a_logged_in_browser_keeps_its_connection(self):
        conn = http.client.HTTPConnection(self.srv.host, self.srv.port, timeout=10)
        try:
            for _ in range(3):
                conn.request("GET", "/private/plan.txt",
                             headers={"Authorization": "Basic YWxpY2U6czNjcmV0"})
                resp = conn.getresponse()
                self.assertEqual((resp.status, resp.read()), (200, b"the plan"))
        finally:
            conn.close()

    def test_a_slow_hash_never_holds_other_requests(self):
        """With one worker, a cost-14 bcrypt check runs while a public file is asked for on
        another connection: the public answer comes first (an event loop that verified itself
        would answer both only when the check is done)."""
        import select  # noqa: PLC0415
        import socket  # noqa: PLC0415
        slow = socket.create_connection((self.srv.host, self.srv.port), timeout=30)
        quick = socket.create_connection((self.srv.host, self.srv.port), timeout=30)
        try:
            # "slow:patience"
            slow.sendall(b"GET /private/plan.txt HTTP/1.1\r\nHost: localhost\r\n"
                         b"Authorization: Basic c2xvdzpwYXRpZW5jZQ==\r\n"
                         b"Connection: close\r\n\r\n")
            quick.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            readable, _, _ = select.select([slow, quick], [], [], 30)
            self.assertEqual(readable, [quick], "the public request waited for the bcrypt check")
            from learnhttpd_harness import read_until_close  # noqa: PLC0415
            self.assertEqual(parse_response(read_until_close(quick, 10)[0]).body,
                             b"<p>public</p>")
            self.assertEqual(parse_response(read_until_close(slow, 30)[0]).body, b"the plan")
        finally:
            slow.close()
            quick.close()

    def test_wrong_passwords_are_bounded_per_client(self):
        # Another client address than the other tests', so they do not share its count.
        import socket  # noqa: PLC0415
        from learnhttpd_harness import read_until_close  # noqa: PLC0415

        def attempt(password):
            import base64  # noqa: PLC0415
            token = base64.b64encode(f"alice:{password}".encode()).decode()
            with socket.create_connection((self.srv.host, self.srv.port), timeout=10,
                                          source_address=("127.0.0.3", 0)) as sock:
                sock.sendall(f"GET /private/plan.txt HTTP/1.1\r\nHost: localhost\r\n"
                             f"Authorization: Basic {token}\r\nConnection: close\r\n\r\n"
                             .encode())
                return parse_response(read_until_close(sock, 10)[0])

        statuses = [attempt(f"guess-{i}").status for i in range(10)]
        self.assertEqual(statuses, [401] * 10)
        blocked = attempt("guess-10")
        self.assertEqual(blocked.status, 429, "no more guesses are checked for a while")
        self.assertEqual(blocked.headers["Retry-After"], "60")
        status, out = curl("--user", "alice:s3cret", self.url("/private/plan.txt"))
        self.assertEqual(out, b"the plan", "another client is not held up")


@unittest.skipIf(HTPASSWD is None, "htpasswd (apache2-utils) is not installed")
class BasicAuthChecksAndReload(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-auth-")
        self.addCleanup(self.tmp.cleanup)
        self.root = build_tree(os.path.join(self.tmp.name, "www"), {"p": {"x.txt": "x"}})
        self.passwords = os.path.join(self.tmp.name, "users")

    def check(self, config):
        from learnhttpd_harness import binary_path  # noqa: PLC0415
        path = os.path.join(self.tmp.name, "learnhttpd.yaml")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(dict({"document_root": self.root, "user": "", "pid_file": "",
                            "listen": ["127.0.0.1:0"]}, **config), f)
        return subprocess.run([binary_path(), "-t", "-c", path], capture_output=True, text=True,
                              timeout=60, check=False)

    def test_t_refuses_cheap_hashes_and_warns_about_plain_http(self):
        with open(self.passwords, "w", encoding="utf-8") as f:
            f.write("# the team\n" + htpasswd_line("bob", "pw", "-m") + htpasswd_line("carol", "x", "-B"))
        auth = {"auth": [{"realm": "Team", "htpasswd": self.passwords}]}
        done = self.check(auth)
        self.assertEqual(done.returncode, 1)
        self.assertIn(f"{self.passwords}:2: user 'bob': an Apache MD5 ($apr1$) hash is too cheap "
                      "to guess against; make it again with htpasswd -B (bcrypt)", done.stderr)
        with open(self.passwords, "w", encoding="utf-8") as f:
            f.write(htpasswd_line("carol", "x", "-B"))
        done = self.check(auth)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("warning: auth: passwords cross a plain (non-\"ssl\") listener in clear "
                      "text", done.stdout)

    def test_a_reload_reads_the_file_again(self):
        with open(self.passwords, "w", encoding="utf-8") as f:
            f.write(htpasswd_line("carol", "old", "-B"))
        config = {"workers": 1, "auth": [{"path": "/p/", "realm": "R", "htpasswd": self.passwords}]}
        with Server(self.root, config=config) as srv:
            import signal  # noqa: PLC0415
            url = f"http://127.0.0.1:{srv.port}/p/x.txt"
            self.assertEqual(curl("--user", "carol:old", url), (0, b"x"))
            with open(self.passwords, "w", encoding="utf-8") as f:
                f.write(htpasswd_line("carol", "new", "-B"))
            mark = srv.log_mark()
            srv.signal(signal.SIGHUP)
            self.assertIsNotNone(srv.wait_for_log(r"generation 2 ready", 10.0, mark))
            self.assertIsNotNone(srv.wait_for_log(r"generation 1\) exited", 10.0, mark))
            self.assertEqual(curl("--user", "carol:new", url), (0, b"x"))
            self.assertEqual(curl("--user", "carol:old", "-o", "/dev/null", "-w", "%{http_code}",
                                  url), (0, b"401"))
            # A broken file keeps the running generation (and its passwords).
            with open(self.passwords, "w", encoding="utf-8") as f:
                f.write("carol:plaintext\n")
            mark = srv.log_mark()
            srv.signal(signal.SIGHUP)
            self.assertIsNotNone(srv.wait_for_log(r"reload failed.*htpasswd -B", 10.0, mark))
            self.assertEqual(curl("--user", "carol:new", url), (0, b"x"))


# ---- CORS ----------------------------------------------------------------------------------------

# A page of the app's site that reads the API's site from script, as a browser app does, and
# writes what it could read into its own DOM: a simple GET, one that needs a preflight (a
# custom header), and one of a path the API does not share.
APP_PAGE = """<!DOCTYPE html><html><body><pre id="out"></pre><script>
const out = document.getElementById("out");
const api = location.protocol + "//127.0.0.1:" + location.port;
async function read(name, path, init) {
  try {
    const r = await fetch(api + path, init);
    out.textContent += name + "=" + r.status + ":" + (await r.text()).trim() + "\\n";
  } catch (e) {
    out.textContent += name + "=blocked\\n";
  }
}
(async () => {
  await read("simple", "/api/data.json");
  await read("preflighted", "/api/data.json", {headers: {"X-Token": "t"}});
  await read("unshared", "/private/data.json");
  out.textContent += "done\\n";
})();
</script></body></html>
"""


class Cors(FeatureServer):
    """Two sites of one server, two origins: localhost (the app) and 127.0.0.1 (the API, which
    shares /api/ with the app's origin)."""
    TREE = {"app.html": APP_PAGE, "api": {"data.json": '{"n": 1}'},
            "private": {"data.json": '{"secret": 1}'}}

    @classmethod
    def server_config(cls):
        return {"sites": [
            {"names": "localhost", "default": True},
            {"names": "127.0.0.1", "cors": [
                {"path": "/api/", "origins": ["http://app.placeholder"], "headers": ["X-Token"],
                 "max_age": "10m"}]},
        ]}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The app's origin names the port the server got: rewrite the rule and reload.
        import signal  # noqa: PLC0415
        config = cls.server_config()
        config["sites"][1]["cors"][0]["origins"] = [f"http://localhost:{cls.srv.port}"]
        mark = cls.srv.log_mark()
        cls.srv.write_config(config)
        cls.srv.signal(signal.SIGHUP)
        if not cls.srv.wait_for_log(r"generation 2 ready", 10.0, mark):
            raise AssertionError("\n".join(cls.srv.stderr_lines()))
        from learnhttpd_harness import wait_until  # noqa: PLC0415
        gone = wait_until(lambda: sum("generation 1) exited" in line
                                      for line in cls.srv.stderr_lines()[mark:]) >= 2, 10.0)
        if not gone:
            raise AssertionError("\n".join(cls.srv.stderr_lines()))
        cls.origin = f"http://localhost:{cls.srv.port}"

    def api(self, path):
        return f"http://127.0.0.1:{self.srv.port}{path}"

    def test_curl_preflight_gets_exactly_the_configured_values(self):
        status, out = curl("-i", "-X", "OPTIONS", "-H", f"Origin: {self.origin}",
                           "-H", "Access-Control-Request-Method: PUT",
                           "-H", "Access-Control-Request-Headers: X-Other", self.api("/api/data.json"))
        resp = parse_response(out.replace(b"\r\n", b"\r\n"), "OPTIONS")
        self.assertEqual(resp.status, 204)
        self.assertEqual(resp.headers["Access-Control-Allow-Origin"], self.origin)
        self.assertEqual(resp.headers["Access-Control-Allow-Methods"], "GET, HEAD")
        self.assertEqual(resp.headers["Access-Control-Allow-Headers"], "X-Token")
        self.assertEqual(resp.headers["Access-Control-Max-Age"], "600")
        self.assertEqual(resp.headers["Vary"], "Origin")
        self.assertIsNone(resp.headers.get("Access-Control-Allow-Credentials"))

    def test_answers_name_the_origin_only_when_it_may_read(self):
        resp = self.srv.get("/api/data.json", {"Host": "127.0.0.1", "Origin": self.origin})
        self.assertEqual(resp.headers["Access-Control-Allow-Origin"], self.origin)
        self.assertIn("Origin", resp.headers.get_all("Vary"))
        for origin in ("http://evil.example", "null", self.origin + ".evil.example"):
            resp = self.srv.get("/api/data.json", {"Host": "127.0.0.1", "Origin": origin})
            self.assertIsNone(resp.headers.get("Access-Control-Allow-Origin"), origin)
        resp = self.srv.get("/api/data.json", {"Origin": self.origin})  # Host: localhost
        self.assertIsNone(resp.headers.get("Access-Control-Allow-Origin"), "the rule is its site's")

    @unittest.skipIf(CHROMIUM is None, "chromium is not installed")
    def test_a_browser_reads_what_is_shared_and_nothing_else(self):
        dom = chromium_dom(f"{self.origin}/app.html")
        self.assertIn("done", dom, dom[:3000])
        self.assertIn('simple=200:{"n": 1}', dom)
        self.assertIn('preflighted=200:{"n": 1}', dom)
        self.assertIn("unshared=blocked", dom)
        self.assertNotIn("secret", dom)


# ---- every feature over TLS, two sites chosen by SNI ----------------------------------------------

@unittest.skipIf(HTPASSWD is None, "htpasswd (apache2-utils) is not installed")
class FeaturesOverTls(unittest.TestCase):
    """a.example (its own certificate): basic auth, a listing, a redirect; *.b.example (its own,
    the default): a fallback page and CORS for a.example's origin. curl verifies each name.
    Over HTTP/1.1 here, over HTTP/2 in FeaturesOverHttp2 (what a browser negotiates)."""

    PROTOCOL = "--http1.1"
    VERSION = b"1.1"

    @classmethod
    def setUpClass(cls):
        from tls_pki import Pki, openssl_available  # noqa: PLC0415
        if not openssl_available():
            raise unittest.SkipTest("the openssl command is not installed")
        cls.pki = Pki()
        cls.tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-features-tls-")
        try:
            cls.srv = Server(cls.tmp.name, config=cls.make_config())
        except BaseException:
            cls.tmp.cleanup()
            cls.pki.close()
            raise

    @classmethod
    def make_config(cls):
        a = cls.pki.leaf("a", 0x5005, san="DNS:a.example", cn="a.example")
        b = cls.pki.leaf("b", 0x6006, san="DNS:*.b.example", cn="*.b.example")
        root_a = build_tree(os.path.join(cls.tmp.name, "a"), {
            "new.html": "<p>new</p>", "private": {"x.txt": "secret x"},
            "pub": {"<b>bold<b>.txt": "b"}})
        root_b = build_tree(os.path.join(cls.tmp.name, "b"), {
            "index.html": "<p>b app</p>", "api": {"d.json": "{}"}})
        passwords = os.path.join(cls.tmp.name, "users")
        with open(passwords, "w", encoding="utf-8") as f:
            f.write(htpasswd_line("alice", "pw", "-B"))
        return {
            "listen": ["127.0.0.1:0 ssl"],
            "sites": [
                {"names": "a.example", "document_root": root_a,
                 "tls": {"certificate": a[0], "key": a[1]},
                 "auth": [{"path": "/private/", "realm": "A", "htpasswd": passwords}],
                 "listing": ["/pub/"], "redirects": [{"from": "/old", "to": "/new.html"}]},
                {"names": "*.b.example", "document_root": root_b, "default": True,
                 "tls": {"certificate": b[0], "key": b[1]}, "fallback": "/index.html",
                 "cors": [{"path": "/api/", "origins": ["https://a.example"]}]},
            ]}

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.srv.close()
            cls.tmp.cleanup()
            cls.pki.close()

    def tls_curl(self, name, path, *args):
        port = self.srv.port
        return curl(self.PROTOCOL, "--cacert", self.pki.ca, "--resolve",
                    f"{name}:{port}:127.0.0.1", *args, f"https://{name}:{port}{path}")

    def test_the_protocol_is_the_one_asked_for(self):
        self.assertEqual(self.tls_curl("a.example", "/new.html", "-o", "/dev/null",
                                       "-w", "%{http_version}"), (0, self.VERSION))

    def test_auth_listing_and_redirect_of_one_site(self):
        self.assertEqual(self.tls_curl("a.example", "/private/x.txt", "--user", "alice:pw"),
                         (0, b"secret x"))
        self.assertEqual(self.tls_curl("a.example", "/private/x.txt", "-o", "/dev/null",
                                       "-w", "%{http_code}"), (0, b"401"))
        status, page = self.tls_curl("a.example", "/pub/")
        self.assertEqual(status, 0)
        self.assertIn(b"&lt;b&gt;bold&lt;b&gt;.txt</a>", page)
        self.assertEqual(self.tls_curl("a.example", "/old", "-L"), (0, b"<p>new</p>"))

    def test_fallback_and_cors_of_the_other(self):
        self.assertEqual(self.tls_curl("x.b.example", "/some/route"), (0, b"<p>b app</p>"))
        status, out = self.tls_curl("x.b.example", "/api/d.json", "-i",
                                    "-H", "Origin: https://a.example")
        head = out.split(b"\r\n\r\n", 1)[0].lower()  # HTTP/2's names are lower case
        self.assertIn(b"\r\naccess-control-allow-origin: https://a.example\r\n", head + b"\r\n")
        # Each site keeps its features: a's rules do not apply to b, nor b's to a.
        self.assertEqual(self.tls_curl("x.b.example", "/private/x.txt"), (0, b"<p>b app</p>"))
        self.assertEqual(self.tls_curl("a.example", "/some/route", "-o", "/dev/null",
                                       "-w", "%{http_code}"), (0, b"404"))

    def test_a_host_of_the_other_site_on_this_connection_is_421(self):
        self.assertEqual(self.tls_curl("a.example", "/private/x.txt", "-H", "Host: x.b.example",
                                       "-o", "/dev/null", "-w", "%{http_code}"), (0, b"421"))

    def test_wrong_password_then_right_one(self):
        # Each a bcrypt check on the worker's checking thread, the answer sent when it ends.
        for user, code in (("alice:nope", b"401"), ("alice:pw", b"200"), ("bob:pw", b"401")):
            self.assertEqual(self.tls_curl("a.example", "/private/x.txt", "--user", user,
                                           "-o", "/dev/null", "-w", "%{http_code}"), (0, code))

    def test_cors_preflight_and_json_listing(self):
        status, out = self.tls_curl("x.b.example", "/api/d.json", "-i", "-X", "OPTIONS",
                                    "-H", "Origin: https://a.example",
                                    "-H", "Access-Control-Request-Method: GET")
        self.assertEqual(status, 0)
        head = out.split(b"\r\n\r\n", 1)[0].lower()
        self.assertIn(b" 204", head.split(b"\r\n", 1)[0])
        self.assertIn(b"access-control-allow-origin: https://a.example", head)
        self.assertIn(b"access-control-allow-methods: get, head", head)
        status, out = self.tls_curl("a.example", "/pub/", "-H", "Accept: application/json")
        self.assertEqual(status, 0)
        self.assertIn("<b>bold<b>.txt", [e["name"] for e in json.loads(out)["entries"]])


class FeaturesOverHttp2(FeaturesOverTls):
    """The same, over HTTP/2 chosen by ALPN: each stream's site, credentials, origin and Accept
    are its own, and a stream for a host the certificate does not cover is 421 (RFC 9113
    section 9.1.1: how a client learns not to reuse the connection for that host)."""

    PROTOCOL = "--http2"
    VERSION = b"2"


if __name__ == "__main__":
    unittest.main()
