# SPDX-License-Identifier: MIT
"""Files past the 2 GiB and 4 GiB marks of 32-bit offsets: sendfile() moves at most ~2 GiB per
call, so the server must loop and advance the offset itself. The files are sparse: they take no
disk space, and only their marker bytes are real."""

import os
import socket
import tempfile
import unittest

from docroot import ServerTestCase
from learnhttpd_harness import parse_response

GIB = 1024 ** 3
SIZE = 2 * GIB + 5 * 1024 * 1024 + 7      # past the first sendfile() chunk
MARKS = {0: b"START", GIB: b"ONE-GIB", 2 * GIB - 3: b"ACROSS-2GIB", SIZE - 3: b"END"}


class LargeFileTest(ServerTestCase):
    CONFIG = {"workers": 1}

    @classmethod
    def make_site(cls):
        site = tempfile.TemporaryDirectory(prefix="learnhttpd-large-")
        root = os.path.join(site.name, "www")
        os.mkdir(root)
        with open(os.path.join(root, "huge.bin"), "wb") as f:
            f.truncate(SIZE)
            for offset, mark in MARKS.items():
                f.seek(offset)
                f.write(mark)
        return site, root

    def test_head_reports_the_full_length(self):
        resp = self.srv.head("/huge.bin")
        self.assertEqual(resp.status, 200)
        self.assertEqual(int(resp.headers["Content-Length"]), SIZE)

    def test_get_sends_every_byte_in_place(self):
        sock = socket.create_connection(("127.0.0.1", self.srv.port), timeout=30)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        sock.sendall(b"GET /huge.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(65536)
            self.assertTrue(chunk, "connection closed before the head")
            head += chunk
        head, _, body_start = head.partition(b"\r\n\r\n")
        resp = parse_response(head + b"\r\n\r\n", method="HEAD")
        self.assertEqual(resp.status, 200)
        self.assertEqual(int(resp.headers["Content-Length"]), SIZE)

        received = 0
        found = {}
        window = bytearray(8 * 1024 * 1024)
        view = memoryview(window)

        def inspect(data, offset):
            for at, mark in MARKS.items():
                if offset <= at < offset + len(data) and at not in found:
                    found[at] = bytes(data[at - offset:at - offset + len(mark)])

        inspect(body_start, 0)
        received = len(body_start)
        while True:
            n = sock.recv_into(view)
            if n == 0:
                break
            inspect(view[:n], received)
            received += n
        sock.close()
        self.assertEqual(received, SIZE)
        for at, mark in MARKS.items():
            # A mark split across two reads is checked by its first bytes only.
            self.assertTrue(mark.startswith(found.get(at, b"?")) and found.get(at), (at, found.get(at)))


if __name__ == "__main__":
    unittest.main()
