# SPDX-License-Identifier: MIT
"""The open-file cache never serves stale or forbidden data: every change to a file or to a
directory on its path is seen by the very next request, on the same keep-alive connection that
has just been served the old version from the cache. One worker, so one cache."""

import ctypes
import os
import shutil
import socket
import tempfile
import time
import unittest

from learnhttpd_harness import (
    Server, Symlink, build_tree, parse_response, pseudo_random_bytes, read_responses,
    read_until_close)

SECRET = b"TOP-SECRET outside the root\n"
BIG_SIZE = 64 * 1024  # past the 16 KiB inline limit: kept as a descriptor, sent by sendfile
HUGE_SIZE = 48 * 1024 * 1024  # bigger than any socket buffer: the download is still running


def fresh_site():
    tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-cache-")
    build_tree(tmp.name, {"outside": {"sub": {"page.txt": SECRET}}})
    root = os.path.join(tmp.name, "www")
    build_tree(root, {
        "a.txt": b"alpha",
        "big.bin": pseudo_random_bytes(BIG_SIZE, "big"),
        "dir": {"index.html": b"<p>dir index</p>", "sub": {"page.txt": b"inside page\n"}},
        **{f"f{i}.txt": f"file number {i}\n".encode() for i in range(10)},
    })
    return tmp, root


class CacheCase(unittest.TestCase):
    CONFIG = {"workers": 1}

    def setUp(self):
        self.site, self.root = fresh_site()
        self.srv = Server(self.root, config=self.CONFIG)
        self.sock = self.srv.connect()

    def tearDown(self):
        self.sock.close()
        try:
            self.srv.stop()
        finally:
            self.srv.close()
            self.site.cleanup()

    def path(self, name):
        return os.path.join(self.root, name)

    def get(self, target, headers=""):
        """GET on the test's one keep-alive connection (its worker's cache)."""
        self.sock.sendall(f"GET {target} HTTP/1.1\r\nHost: t\r\n{headers}\r\n".encode())
        (resp,), _ = read_responses(self.sock, 1)
        return resp

    def warm(self, target):
        """Serves `target` twice: the second answer is a cache hit."""
        first = self.get(target)
        second = self.get(target)
        self.assertEqual((first.status, first.body), (second.status, second.body))
        return second

    def write(self, name, data, mode="wb"):
        with open(self.path(name), mode) as f:
            f.write(data)


class InvalidationTest(CacheCase):
    def test_in_place_write_of_a_small_file(self):
        self.assertEqual(self.warm("/a.txt").body, b"alpha")
        with open(self.path("a.txt"), "r+b") as f:
            f.write(b"ALP")  # same size, no truncation, same second: only inotify can tell
        self.assertEqual(self.get("/a.txt").body, b"ALPha")

    def test_in_place_write_of_a_large_file(self):
        old = self.warm("/big.bin").body
        with open(self.path("big.bin"), "r+b") as f:
            f.seek(BIG_SIZE - 4)
            f.write(b"TAIL")
        self.assertEqual(self.get("/big.bin").body, old[:-4] + b"TAIL")

    def test_truncation(self):
        self.warm("/big.bin")
        os.truncate(self.path("big.bin"), 10)
        resp = self.get("/big.bin")
        self.assertEqual(resp.headers["Content-Length"], "10")
        self.assertEqual(resp.body, pseudo_random_bytes(BIG_SIZE, "big")[:10])

    def test_rename_over(self):
        self.warm("/a.txt")
        self.write("a.new", b"a brand new file")
        os.rename(self.path("a.new"), self.path("a.txt"))
        self.assertEqual(self.get("/a.txt").body, b"a brand new file")

    def test_delete(self):
        self.warm("/a.txt")
        os.unlink(self.path("a.txt"))
        self.assertEqual(self.get("/a.txt").status, 404)

    def test_created_where_missing(self):
        self.assertEqual(self.get("/later.txt").status, 404)
        self.write("later.txt", b"here now")
        self.assertEqual(self.get("/later.txt").body, b"here now")

    def test_metadata_change_moves_the_validators(self):
        before = self.warm("/a.txt")
        os.utime(self.path("a.txt"), (1_000_000_000, 1_000_000_000))
        after = self.get("/a.txt")
        self.assertEqual(after.headers["Last-Modified"], "Sun, 09 Sep 2001 01:46:40 GMT")
        self.assertNotEqual(after.headers["ETag"], before.headers["ETag"])
        etag = after.headers["ETag"]
        self.assertEqual(self.get("/a.txt", f"If-None-Match: {etag}\r\n").status, 304)

    def test_directory_index_edit(self):
        self.assertEqual(self.warm("/dir/").body, b"<p>dir index</p>")
        self.write("dir/index.html", b"<p>new index</p>")
        self.assertEqual(self.get("/dir/").body, b"<p>new index</p>")

    def test_directory_rename(self):
        self.warm("/dir/sub/page.txt")
        os.rename(self.path("dir"), self.path("moved"))
        self.assertEqual(self.get("/dir/sub/page.txt").status, 404)
        self.assertEqual(self.get("/moved/sub/page.txt").body, b"inside page\n")

    def test_directory_replaced_by_a_symlink_out_of_the_root(self):
        self.assertEqual(self.warm("/dir/sub/page.txt").body, b"inside page\n")
        shutil.rmtree(self.path("dir/sub"))
        os.symlink(os.path.join(self.site.name, "outside", "sub"), self.path("dir/sub"))
        resp = self.get("/dir/sub/page.txt")
        self.assertEqual(resp.status, 403)
        self.assertNotIn(SECRET, resp.body)

    def test_directory_swapped_by_rename_for_a_symlink(self):
        self.warm("/dir/sub/page.txt")
        os.symlink(os.path.join(self.site.name, "outside", "sub"), self.path("evil"))
        # renameat2(RENAME_EXCHANGE): one atomic swap, as an attacker would do it.
        libc = ctypes.CDLL(None, use_errno=True)
        at_fdcwd, rename_exchange = -100, 2
        rc = libc.renameat2(at_fdcwd, self.path("evil").encode(), at_fdcwd,
                            self.path("dir/sub").encode(), rename_exchange)
        self.assertEqual(rc, 0, os.strerror(ctypes.get_errno()))
        self.assertEqual(self.get("/dir/sub/page.txt").status, 403)

    def test_file_replaced_by_a_symlink_inside_the_root_is_still_served(self):
        self.warm("/a.txt")
        os.unlink(self.path("a.txt"))
        os.symlink("f1.txt", self.path("a.txt"))
        self.assertEqual(self.get("/a.txt").body, b"file number 1\n")
        with open(self.path("f1.txt"), "wb") as f:
            f.write(b"through the link")
        self.assertEqual(self.get("/a.txt").body, b"through the link")  # links are not cached

    def test_range_of_cached_files(self):
        self.warm("/a.txt")
        resp = self.get("/a.txt", "Range: bytes=1-3\r\n")
        self.assertEqual((resp.status, resp.body), (206, b"lph"))
        self.warm("/big.bin")
        resp = self.get("/big.bin", "Range: bytes=-5\r\n")
        self.assertEqual((resp.status, resp.body),
                         (206, pseudo_random_bytes(BIG_SIZE, "big")[-5:]))


@unittest.skipUnless(os.geteuid() == 0, "needs root to start workers as another user")
class PermissionTest(CacheCase):
    """Workers run as nobody here, so that a chmod can take their access away."""
    CONFIG = {"workers": 1, "user": "nobody"}

    def setUp(self):
        self.site, self.root = fresh_site()
        for dirpath, dirnames, filenames in os.walk(self.site.name):
            os.chmod(dirpath, 0o755)
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o644)
        self.srv = Server(self.root, config=self.CONFIG)
        self.sock = self.srv.connect()

    def test_file_permission_change(self):
        self.warm("/a.txt")
        os.chmod(self.path("a.txt"), 0o600)
        self.assertEqual(self.get("/a.txt").status, 403)
        os.chmod(self.path("a.txt"), 0o644)
        self.assertEqual(self.get("/a.txt").body, b"alpha")

    def test_directory_permission_change(self):
        self.warm("/dir/sub/page.txt")
        os.chmod(self.path("dir"), 0o700)
        self.assertEqual(self.get("/dir/sub/page.txt").status, 403)


class LimitsTest(CacheCase):
    CONFIG = {"workers": 1, "open_file_cache": {"entries": 3, "max_bytes": "2k"}}

    def test_more_files_than_entries_are_all_served_right(self):
        for round_ in range(3):
            for i in range(10):
                self.assertEqual(self.get(f"/f{i}.txt").body, f"file number {i}\n".encode())
            self.assertEqual(len(self.get("/big.bin").body), BIG_SIZE)
        self.write("f9.txt", b"changed")
        self.assertEqual(self.get("/f9.txt").body, b"changed")


class CacheOffTest(CacheCase):
    CONFIG = {"workers": 1, "open_file_cache": {"entries": 0}}

    def test_serves_and_sees_changes(self):
        self.assertEqual(self.warm("/a.txt").body, b"alpha")
        self.write("a.txt", b"omega")
        self.assertEqual(self.get("/a.txt").body, b"omega")


LAUNCHER = os.environ.get("LEARNHTTPD_NO_OPENAT2")


@unittest.skipUnless(LAUNCHER, "LEARNHTTPD_NO_OPENAT2 (the seccomp launcher) is not set")
class WithoutOpenat2Test(CacheCase):
    """Without openat2 the cache cannot prove a path symlink-free: it turns itself off, says so
    once, and every change is still seen."""

    def setUp(self):
        self.site, self.root = fresh_site()
        self.srv = Server(self.root, config=self.CONFIG, launcher=[LAUNCHER])
        self.sock = self.srv.connect()

    def test_cache_off_and_changes_seen(self):
        self.assertTrue(self.srv.wait_for_log(r"open_file_cache: off, openat2 is refused"))
        self.assertEqual(self.warm("/dir/sub/page.txt").body, b"inside page\n")
        self.write("dir/sub/page.txt", b"changed")
        self.assertEqual(self.get("/dir/sub/page.txt").body, b"changed")


class DownloadTest(CacheCase):
    """A file changed while it is being sent: the client gets the old bytes whole, or a body cut
    short on a closed connection -- never a complete-looking mix."""

    def setUp(self):
        super().setUp()
        self.huge = pseudo_random_bytes(1024 * 1024, "huge") * (HUGE_SIZE // (1024 * 1024))
        self.write("huge.bin", self.huge)

    def warm_huge(self):
        for _ in range(2):  # a range, so the warm-up does not download 48 MiB
            self.assertEqual(self.get("/huge.bin", "Range: bytes=0-3\r\n").body, self.huge[:4])

    def start_download(self):
        sock = socket.create_connection(("127.0.0.1", self.srv.port), timeout=10)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.sendall(b"GET /huge.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while len(data) < 256 * 1024:
            chunk = sock.recv(65536)
            self.assertTrue(chunk)
            data += chunk
        return sock, data

    def finish_download(self, sock, data):
        rest, closed = read_until_close(sock, 20)
        sock.close()
        self.assertTrue(closed)
        head, _, body = (data + rest).partition(b"\r\n\r\n")
        resp = parse_response(head + b"\r\n\r\n", method="HEAD")
        self.assertEqual(int(resp.headers["Content-Length"]), HUGE_SIZE)
        return body

    def test_renamed_over_while_downloading_sends_the_old_file_whole(self):
        self.warm_huge()
        sock, data = self.start_download()
        self.write("huge.new", b"N" * HUGE_SIZE)
        os.rename(self.path("huge.new"), self.path("huge.bin"))
        body = self.finish_download(sock, data)
        self.assertEqual(len(body), HUGE_SIZE)
        self.assertTrue(body == self.huge, "the old file, whole")
        self.assertEqual(self.get("/huge.bin", "Range: bytes=0-3\r\n").body, b"NNNN")

    def test_deleted_while_downloading_sends_the_old_file_whole(self):
        self.warm_huge()
        sock, data = self.start_download()
        os.unlink(self.path("huge.bin"))
        body = self.finish_download(sock, data)
        self.assertTrue(body == self.huge, "the old file, whole")
        self.assertEqual(self.get("/huge.bin").status, 404)

    def test_truncated_while_downloading_is_cut_short(self):
        self.warm_huge()
        sock, data = self.start_download()
        os.truncate(self.path("huge.bin"), 8 * 1024 * 1024)
        body = self.finish_download(sock, data)
        # Short and closed: a client sees it is incomplete; what came is the file's prefix.
        self.assertLess(len(body), HUGE_SIZE)
        self.assertTrue(body == self.huge[:len(body)], "a prefix of the file")


if __name__ == "__main__":
    unittest.main()
