# SPDX-License-Identifier: MIT
"""Self-tests of the harness pieces that need no server: the response parser and the tree builder."""

import os
import tempfile
import unittest

from learnhttpd_harness import (Symlink, build_tree, parse_response, parse_responses,
                                pseudo_random_bytes)


class ParserTests(unittest.TestCase):
    def test_several_responses_in_one_stream(self):
        data = (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A: 1\r\n\r\nabc"
                b"HTTP/1.1 304 Not Modified\r\nDate: x\r\n\r\n"
                b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nwxyz")
        first, second, third = parse_responses(data)
        self.assertEqual((first.status, first.body, first.headers["x-a"]), (200, b"abc", "1"))
        self.assertEqual((second.status, second.body), (304, b""))
        self.assertEqual((third.body, third.headers["Content-Length"]), (b"wxyz", "4"))

    def test_head_response_has_no_body(self):
        data = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.1 404 Not Found\r\n\r\n"
        head, nf = parse_responses(data, ["HEAD", "GET"])
        self.assertEqual((head.body, head.complete), (b"", True))
        self.assertEqual(nf.status, 404)

    def test_truncated_body_is_incomplete(self):
        resp = parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        self.assertFalse(resp.complete)
        self.assertEqual(resp.body, b"abc")

    def test_malformed_head_raises(self):
        with self.assertRaises(ValueError):
            parse_responses(b"HTTP/1.1 200 OK\r\nContent-Length: 1")
        with self.assertRaises(ValueError):
            parse_responses(b"NOT HTTP\r\n\r\n")

    def test_parse_response_wants_exactly_one(self):
        with self.assertRaises(AssertionError):
            parse_response(b"")

    def test_repeated_headers_kept(self):
        resp = parse_response(b"HTTP/1.1 200 OK\r\nA: 1\r\na: 2\r\nContent-Length: 0\r\n\r\n")
        self.assertEqual(resp.headers.get_all("A"), ["1", "2"])


class TreeTests(unittest.TestCase):
    def test_build_tree(self):
        with tempfile.TemporaryDirectory() as tmp:
            build_tree(tmp, {"a": "x", "d": {"b": b"\x00\x01"}, "l": Symlink("a")})
            with open(os.path.join(tmp, "d", "b"), "rb") as f:
                self.assertEqual(f.read(), b"\x00\x01")
            self.assertEqual(os.readlink(os.path.join(tmp, "l")), "a")

    def test_pseudo_random_bytes_deterministic(self):
        self.assertEqual(pseudo_random_bytes(1000, "s"), pseudo_random_bytes(1000, "s"))
        self.assertNotEqual(pseudo_random_bytes(64, "s"), pseudo_random_bytes(64, "t"))
        self.assertEqual(len(pseudo_random_bytes(12345, 1)), 12345)


if __name__ == "__main__":
    unittest.main()
