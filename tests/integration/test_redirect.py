# SPDX-License-Identifier: MIT
"""A directory's "add the slash" redirect never leaves this site.

Each Location is resolved the way a browser does it, by a WHATWG URL parser (node's built-in
URL class), against the URL of the request; the host must stay ours and the path must be the
request's normalised path plus '/', with the query kept."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from docroot import ServerTestCase
from learnhttpd_harness import build_tree, parse_response

NODE = shutil.which("node") or shutil.which("nodejs")

# Reads [[base, location], ...] on stdin, prints [{host, pathname, search} | {error}, ...].
RESOLVE_JS = r"""
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(([base, location]) => {
    try {
      const url = new URL(location, base);
      return { host: url.host, pathname: url.pathname, search: url.search };
    } catch (e) {
      return { error: String(e) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
"""

SITE = {
    "dir": {"a.txt": "a"},
    "evil.example": {"a.txt": "a"},
    "\\evil.example": {"a.txt": "a"},          # a name with a backslash
    "\t": {"evil.example": {"a.txt": "a"}},    # a name that is one tab
    "sp ace": {"a.txt": "a"},
    "q?x": {"a.txt": "a"},                     # '?' and '#' in a name must stay in the path
    "h#x": {"a.txt": "a"},
    "pct%41": {"a.txt": "a"},                  # a literal '%' in a name
    "caf\u00e9": {"a.txt": "a"},
}

# (request-target, expected path of the resolved Location, expected query)
CASES = [
    ("/dir", "/dir/", ""),
    ("/dir?x=1&y=%2F", "/dir/", "?x=1&y=%2F"),
    ("//evil.example", "/evil.example/", ""),
    ("///evil.example", "/evil.example/", ""),
    ("//evil.example/../dir", "/dir/", ""),
    ("//evil.example/..//dir?q", "/dir/", "?q"),
    ("/\\evil.example/../dir", "/dir/", ""),
    ("/\\evil.example", "/%5Cevil.example/", ""),
    ("/%5Cevil.example", "/%5Cevil.example/", ""),
    ("/%5cevil.example/../dir", "/dir/", ""),
    ("/%2Fevil.example", "/evil.example/", ""),
    ("/%2F%2Fevil.example", "/evil.example/", ""),
    ("/%2f/evil.example/../dir", "/dir/", ""),
    ("/./\\evil.example/../dir", "/dir/", ""),
    ("/%09/evil.example", "/%09/evil.example/", ""),
    ("/%0A/evil.example/../../dir", "/dir/", ""),
    ("/%0D%0A/evil.example/../../dir", "/dir/", ""),
    ("/sp%20ace", "/sp%20ace/", ""),
    ("/q%3Fx", "/q%3Fx/", ""),
    ("/h%23x", "/h%23x/", ""),
    ("/pct%2541", "/pct%2541/", ""),
    ("/caf%C3%A9", "/caf%C3%A9/", ""),
    ("http://evil.example//evil.example", "/evil.example/", ""),
    ("http://localhost//evil.example/../dir?k=v", "/dir/", "?k=v"),
    ("http://localhost/\\evil.example/../dir", "/dir/", ""),
    ("HTTP://localhost/%5C%5Cevil.example/../dir", "/dir/", ""),
]


@unittest.skipUnless(NODE, "needs node for its WHATWG URL parser (packaging/install-deps.sh)")
class OpenRedirectTests(ServerTestCase):
    CONFIG = {"workers": 1}

    @classmethod
    def make_site(cls):
        site = tempfile.TemporaryDirectory(prefix="learnhttpd-redirect-")
        return site, build_tree(os.path.join(site.name, "www"), SITE)

    def resolve(self, pairs):
        result = subprocess.run([NODE, "-e", RESOLVE_JS], input=json.dumps(pairs).encode(),
                                capture_output=True, timeout=30, check=True)
        return json.loads(result.stdout)

    def redirect_of(self, target):
        data = self.srv.raw(f"GET {target} HTTP/1.1\r\nHost: localhost\r\n"
                            "Connection: close\r\n\r\n".encode("latin-1"))
        resp = parse_response(data)
        self.assertEqual(resp.status, 301, (target, resp))
        return resp.headers["Location"]

    def test_location_stays_on_this_host(self):
        ours = f"{self.srv.host}:{self.srv.port}"
        locations = [self.redirect_of(target) for target, _, _ in CASES]
        base = f"http://{ours}/some/page"  # the page a browser requested from us
        resolved = self.resolve([[base, loc] for loc in locations])
        for (target, path, query), location, url in zip(CASES, locations, resolved):
            with self.subTest(target=target, location=location):
                self.assertNotIn("error", url)
                self.assertEqual(url["host"], ours)
                self.assertEqual((url["pathname"], url["search"]), (path, query))
                # A header value carries no raw control or non-ASCII bytes.
                self.assertTrue(all(0x20 < ord(c) < 0x7f for c in location), location)

    def test_checker_sees_the_attack(self):
        """The checker itself: the Locations an unsafe server would send do leave the host."""
        ours = f"{self.srv.host}:{self.srv.port}"
        base = f"http://{ours}/x"
        evil = ["//evil.example/", "/\\evil.example/", "/\t/evil.example/", "\\\\evil.example/",
                "/\n/evil.example/"]
        for location, url in zip(evil, self.resolve([[base, e] for e in evil])):
            self.assertEqual(url.get("host"), "evil.example", (location, url))


if __name__ == "__main__":
    unittest.main()
