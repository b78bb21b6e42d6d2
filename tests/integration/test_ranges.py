# SPDX-License-Identifier: MIT
"""Byte-range requests: 206 with Content-Range for one range, 416 past the end, the whole file
for ranges we do not serve (several at once, other units) or a stale If-Range; and the ETag
validator with If-None-Match."""

import unittest

from docroot import A_TXT, BIG, FIXED_MTIME, FIXED_MTIME_HTTP, ServerTestCase


class RangeTest(ServerTestCase):
    def get(self, target, range_value, **extra):
        headers = {"Range": range_value, **extra}
        return self.srv.get(target, headers=headers)

    def test_files_advertise_ranges(self):
        resp = self.srv.get("/a.txt")
        self.assertEqual(resp.headers.get("Accept-Ranges"), "bytes")

    def test_closed_range_of_a_small_file(self):
        resp = self.get("/a.txt", "bytes=1-3")
        self.assertEqual(resp.status, 206, resp)
        self.assertEqual(resp.body, A_TXT[1:4])
        self.assertEqual(resp.headers["Content-Range"], f"bytes 1-3/{len(A_TXT)}")
        self.assertEqual(int(resp.headers["Content-Length"]), 3)
        self.assertCommonHeaders(resp)  # the harness asks for Connection: close

    def test_open_and_suffix_ranges_of_a_big_file(self):
        start = len(BIG) - 1_000_000
        resp = self.get("/big.bin", f"bytes={start}-")
        self.assertEqual(resp.status, 206)
        self.assertEqual(resp.body, BIG[start:])
        resp = self.get("/big.bin", "bytes=-100000")
        self.assertEqual(resp.status, 206)
        self.assertEqual(resp.body, BIG[-100000:])
        self.assertEqual(resp.headers["Content-Range"],
                         f"bytes {len(BIG) - 100000}-{len(BIG) - 1}/{len(BIG)}")

    def test_range_past_the_end_is_416(self):
        resp = self.get("/a.txt", "bytes=100-200")
        self.assertEqual(resp.status, 416, resp)
        self.assertEqual(resp.headers["Content-Range"], f"bytes */{len(A_TXT)}")
        self.assertIn(b"416", resp.body)
        self.assertEqual(int(resp.headers["Content-Length"]), len(resp.body))

    def test_multiple_ranges_and_other_units_get_the_whole_file(self):
        for value in ("bytes=0-1,3-4", "lines=1-2", "bytes=oops"):
            resp = self.get("/a.txt", value)
            self.assertEqual(resp.status, 200, value)
            self.assertEqual(resp.body, A_TXT)

    def test_if_range(self):
        resp = self.get("/a.txt", "bytes=0-1", **{"If-Range": FIXED_MTIME_HTTP})
        self.assertEqual(resp.status, 206)
        resp = self.get("/a.txt", "bytes=0-1", **{"If-Range": "Mon, 01 Jan 2001 00:00:00 GMT"})
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.body, A_TXT)

    def test_head_with_range(self):
        resp = self.srv.head("/big.bin", headers={"Range": "bytes=10-19"})
        self.assertEqual(resp.status, 206)
        self.assertEqual(int(resp.headers["Content-Length"]), 10)
        self.assertEqual(resp.body, b"")


class EntityTagTest(ServerTestCase):
    def test_files_carry_an_etag_of_mtime_and_size(self):
        resp = self.srv.get("/a.txt")
        self.assertEqual(resp.headers.get("ETag"), f'"{FIXED_MTIME:x}-{len(A_TXT):x}"')
        self.assertNotIn("ETag", self.srv.get("/missing.txt").headers)

    def test_if_none_match_gives_304_and_wins_over_if_modified_since(self):
        etag = self.srv.get("/a.txt").headers["ETag"]
        for value in (etag, f'"other", W/{etag}', "*"):
            resp = self.srv.get("/a.txt", headers={"If-None-Match": value})
            self.assertEqual(resp.status, 304, value)
            self.assertEqual(resp.body, b"")
            self.assertEqual(resp.headers.get("ETag"), etag)
        # A stale tag means a full answer even though If-Modified-Since alone would say 304.
        resp = self.srv.get("/a.txt", headers={"If-None-Match": '"stale"',
                                               "If-Modified-Since": FIXED_MTIME_HTTP})
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.body, A_TXT)

    def test_if_range_with_the_etag(self):
        etag = self.srv.get("/a.txt").headers["ETag"]
        resp = self.srv.get("/a.txt", headers={"Range": "bytes=0-1", "If-Range": etag})
        self.assertEqual(resp.status, 206)
        resp = self.srv.get("/a.txt", headers={"Range": "bytes=0-1", "If-Range": '"stale"'})
        self.assertEqual(resp.status, 200)


if __name__ == "__main__":
    unittest.main()
