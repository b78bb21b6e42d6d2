# SPDX-License-Identifier: MIT
"""HTTP/2's defences, each against a hostile client that writes raw frames: rapid reset
(CVE-2023-44487), MadeYouReset (CVE-2025-8671), CONTINUATION flood (CVE-2024-28182), HPACK bombs
and oversized header lists (431), SETTINGS/PING/PRIORITY/empty-DATA/WINDOW_UPDATE floods,
SETTINGS_MAX_CONCURRENT_STREAMS, a zero window held forever (send_timeout, no thread pinned), a
stalled preface or header block (header_timeout), an idle connection (keepalive_timeout, GOAWAY)
and malformed requests (RFC 9113 sections 8.2-8.3: stream errors, never answers, never a crash).

Bounds are asserted on counts -- frames the server answered, streams it processed (GOAWAY's last
stream id), whether it closed -- never on time; a wait's timeout only says how long to wait for
something that must happen. Run by Debian's python3 (python3-h2)."""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))

from docroot import A_TXT, make_site  # noqa: E402
from h2_client import (  # noqa: E402
    ENHANCE_YOUR_CALM, NO_ERROR, PROTOCOL_ERROR, REFUSED_STREAM, Client, ContinuationFrame,
    DataFrame, GoAwayFrame, HeadersFrame, PingFrame, PriorityFrame, RawH2, RstStreamFrame,
    SettingsFrame, WindowUpdateFrame, connect, request_headers)
from learnhttpd_harness import Server, worker_model  # noqa: E402

INITIAL_WINDOW_SIZE = 0x4  # SETTINGS_INITIAL_WINDOW_SIZE
# Http2Guard's allowance of control frames (src/protocol/http2_guard.hpp), and what a flood may
# get answered at most before the server closes: the allowance and one feed's worth of frames.
CONTROL_ALLOWANCE = 512
FLOOD_ANSWERED_AT_MOST = CONTROL_ALLOWANCE + 300
FLOOD = 5000


class DefenceTestCase(unittest.TestCase):
    CONFIG = {}

    @classmethod
    def setUpClass(cls):
        cls.site, cls.root = make_site()
        config = {"workers": 1, "http2": {"plain": True}}
        config.update(cls.CONFIG)
        try:
            cls.srv = Server(cls.root, config=config)
        except BaseException:
            cls.site.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()  # asserts the master exits 0 with no worker left: nothing crashed
        finally:
            cls.srv.close()
            cls.site.cleanup()

    def raw(self, **kwargs):
        return RawH2(connect(self.srv), **kwargs)

    def assertServes(self):
        """The server still answers a new connection."""
        with Client(connect(self.srv)) as h2:
            r = h2.get("/a.txt")
            self.assertEqual((r.status, r.body), (200, A_TXT))

    def assertCalmed(self, raw, what):
        """The server said GOAWAY ENHANCE_YOUR_CALM and closed the connection."""
        raw.read_until_closed(10.0)
        goaway = raw.goaway()
        self.assertIsNotNone(goaway, f"{what}: no GOAWAY; {len(raw.frames)} frames")
        self.assertEqual(goaway.error_code, ENHANCE_YOUR_CALM, what)
        self.assertTrue(raw.closed, f"{what}: the connection stayed open")
        return goaway


class ResetFloods(DefenceTestCase):
    STREAMS = 2000

    # CVE-2023-44487: open a stream and cancel it, again and again; each costs the server an
    # answer the client never reads. libnghttp2 alone would allow a burst of 1000 resets.
    def test_rapid_reset(self):
        with self.raw() as raw:
            for batch in range(0, self.STREAMS, 100):
                frames = []
                for i in range(batch, batch + 100):
                    stream_id = 2 * i + 1
                    frames += [raw.get(stream_id, "/a.txt"), RstStreamFrame(stream_id, error_code=8)]
                if not raw.send(*frames):
                    break
            goaway = self.assertCalmed(raw, "rapid reset")
            processed = (goaway.last_stream_id + 1) // 2
            self.assertLess(processed, 400, "streams processed before the server stopped")
        self.assertServes()

    # CVE-2025-8671: the client makes the *server* reset each stream (here a WINDOW_UPDATE that
    # overflows the stream's window, a stream error of type FLOW_CONTROL_ERROR), so no reset
    # of its own is counted by a reset limit.
    def test_made_you_reset(self):
        with self.raw() as raw:
            for batch in range(0, self.STREAMS, 100):
                frames = []
                for i in range(batch, batch + 100):
                    stream_id = 2 * i + 1
                    frames += [raw.get(stream_id, "/a.txt"),
                               WindowUpdateFrame(stream_id, window_increment=0x7fffffff)]
                if not raw.send(*frames):
                    break
            goaway = self.assertCalmed(raw, "MadeYouReset")
            processed = (goaway.last_stream_id + 1) // 2
            self.assertLess(processed, 400, "streams processed before the server stopped")
            resets = [f for f in raw.of(RstStreamFrame) if f.error_code != NO_ERROR]
            self.assertLess(len(resets), 400)
        self.assertServes()

    # Honest use earns its way: a client that completes its streams may cancel some too.
    def test_cancels_among_completed_streams_are_fine(self):
        with Client(connect(self.srv)) as h2:
            for i in range(300):
                self.assertEqual(h2.get("/a.txt").status, 200)
                if i % 2 == 0:
                    stream_id = h2.send_request("/big.bin")
                    h2.conn.reset_stream(stream_id, error_code=8)
                    h2.flush()
            self.assertIsNone(h2.terminated)
            self.assertEqual(h2.get("/a.txt").status, 200)


class ControlFloods(DefenceTestCase):
    def flood(self, frames, answers=None, prelude=None):
        """Sends `frames` after `prelude(raw)`'s; the server must close with ENHANCE_YOUR_CALM
        having answered (`answers(raw)`) fewer than FLOOD_ANSWERED_AT_MOST of them."""
        with self.raw(settings={INITIAL_WINDOW_SIZE: 0}) as raw:
            raw.ack_settings()
            if prelude is not None:
                raw.send(*prelude(raw))
            for start in range(0, len(frames), 250):
                if not raw.send(*frames[start:start + 250]):
                    break
            self.assertCalmed(raw, type(frames[0]).__name__)
            if answers is not None:
                self.assertLess(len(answers(raw)), FLOOD_ANSWERED_AT_MOST, "frames answered")
        self.assertServes()

    def test_settings_flood(self):
        self.flood([SettingsFrame(0) for _ in range(FLOOD)],
                   lambda raw: [f for f in raw.of(SettingsFrame) if "ACK" in f.flags])

    def test_ping_flood(self):
        self.flood([PingFrame(0, opaque_data=i.to_bytes(8, "big")) for i in range(FLOOD)],
                   lambda raw: [f for f in raw.of(PingFrame) if "ACK" in f.flags])

    def test_priority_flood(self):
        self.flood([PriorityFrame(2 * i + 1, depends_on=0, stream_weight=15)
                    for i in range(FLOOD)])

    def test_window_update_flood(self):
        self.flood([WindowUpdateFrame(0, window_increment=1) for _ in range(FLOOD)])

    def test_empty_data_flood(self):
        # A request whose body never ends (no END_STREAM) and whose answer the zero window
        # holds back, so the stream stays open for the empty DATA frames.
        self.flood([DataFrame(1, data=b"") for _ in range(FLOOD)],
                   prelude=lambda raw: [raw.headers(1, request_headers("/big.bin", "POST"),
                                                    end_stream=False)])


class HeaderFloods(DefenceTestCase):
    # CVE-2024-28182: a header block that never ends, one CONTINUATION after another.
    def test_continuation_flood(self):
        with self.raw() as raw:
            block = raw.header_block(request_headers("/a.txt"))
            frames = [HeadersFrame(1, data=block, flags=["END_STREAM"])]
            frames += [ContinuationFrame(1, data=b"") for _ in range(FLOOD)]
            for start in range(0, len(frames), 250):
                if not raw.send(*frames[start:start + 250]):
                    break
            self.assertCalmed(raw, "CONTINUATION flood")
            self.assertIsNone(raw.status(1))
        self.assertServes()

    # An HPACK bomb: one 4 KB field put in the dynamic table, then referenced a hundred times
    # at a byte each; the decoded list (400 KB) is held to max_header_bytes like an HTTP/1
    # head: 431, and the connection goes on.
    def test_hpack_bomb_is_431(self):
        with self.raw() as raw:
            bomb = [("x-bomb", "b" * 4000)] * 100
            raw.send(raw.headers(1, request_headers("/a.txt", extra=bomb)),
                     raw.get(3, "/a.txt"))
            self.assertTrue(raw.read_until(lambda r: r.ended(1) and r.ended(3)), raw.frames)
            self.assertEqual(raw.status(1), 431)
            self.assertEqual((raw.status(3), raw.body(3)), (200, A_TXT))
            self.assertIsNone(raw.goaway())

    def test_oversized_header_list_is_431(self):
        with self.raw() as raw:
            # 20 KB of one literal: a HEADERS frame (16 KB at most) and a CONTINUATION.
            big = request_headers("/a.txt", extra=[("x-big", "v" * 20000)])
            raw.send(*raw.header_frames(1, big), raw.get(3, "/a.txt"))
            self.assertTrue(raw.read_until(lambda r: r.ended(1) and r.ended(3)), raw.frames)
            self.assertEqual(raw.status(1), 431)
            self.assertEqual(raw.status(3), 200)

    def test_long_path_is_414(self):
        with self.raw() as raw:
            raw.send(raw.get(1, "/" + "a" * 9000))
            self.assertTrue(raw.read_until(lambda r: r.ended(1)), raw.frames)
            self.assertEqual(raw.status(1), 414)


class ConcurrentStreams(DefenceTestCase):
    # SETTINGS_MAX_CONCURRENT_STREAMS is 100: a client that opens more after it acknowledged
    # the setting broke the protocol. The zero window keeps every answered stream open.
    def test_the_101st_stream_is_refused(self):
        with self.raw(settings={INITIAL_WINDOW_SIZE: 0}) as raw:
            self.assertTrue(raw.read_until(lambda r: r.of(SettingsFrame)))
            server_settings = raw.of(SettingsFrame)[0].settings
            self.assertEqual(server_settings.get(0x3), 100)  # MAX_CONCURRENT_STREAMS
            raw.ack_settings()
            raw.send(*[raw.get(2 * i + 1, "/big.bin") for i in range(100)])
            self.assertTrue(raw.read_until(lambda r: len(r.of(HeadersFrame)) == 100), raw.frames)
            raw.send(*[raw.get(2 * i + 1, "/big.bin") for i in range(100, 150)])
            raw.read_until(lambda r: r.closed or r.goaway() or r.of(RstStreamFrame), 5.0)
            answered = {f.stream_id for f in raw.of(HeadersFrame)}
            self.assertEqual(answered, {2 * i + 1 for i in range(100)})
            refused = raw.goaway() or raw.of(RstStreamFrame)[0]
            self.assertIn(refused.error_code, (PROTOCOL_ERROR, REFUSED_STREAM))
        self.assertServes()


class ZeroWindow(DefenceTestCase):
    CONFIG = {"send_timeout": "1s", "keepalive_timeout": "60s", "header_timeout": "60s",
              "threads": 1}

    # A client that never opens its window, and keeps the connection busy with PINGs: the
    # answer that cannot move is given up after send_timeout, counted from the last byte that
    # moved (not from the last frame), and no thread waits for it meanwhile.
    def test_zero_window_forever_is_closed_by_send_timeout(self):
        with self.raw(settings={INITIAL_WINDOW_SIZE: 0}) as raw:
            raw.ack_settings()
            raw.send(raw.get(1, "/big.bin"))
            self.assertTrue(raw.read_until(lambda r: r.status(1) == 200), raw.frames)
            # Meanwhile the same worker (with threads: 1, its only pool thread) serves others.
            self.assertServes()
            deadline = time.monotonic() + 10
            while not raw.closed and time.monotonic() < deadline:
                raw.send(PingFrame(0, opaque_data=b"12345678"))
                raw.read_until(lambda r: r.closed, 0.3)
            self.assertTrue(raw.closed, "the stalled connection is still open")
            self.assertEqual(raw.body(1), b"")
        self.assertServes()


class Timeouts(DefenceTestCase):
    CONFIG = {"header_timeout": "1s", "keepalive_timeout": "1s", "send_timeout": "60s"}

    def test_stalled_preface(self):
        # The magic, but never the SETTINGS frame that completes the preface.
        with self.raw(preface=False) as raw:
            raw.send(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            self.assertTrue(raw.read_until_closed(10.0), "still open")
            self.assertIsNotNone(raw.goaway())

    def test_stalled_header_block(self):
        # A header block begun and never finished (no END_HEADERS, no CONTINUATION).
        with self.raw() as raw:
            raw.ack_settings()
            raw.send(raw.headers(1, request_headers("/a.txt"), end_headers=False))
            self.assertTrue(raw.read_until_closed(10.0), "still open")
            self.assertIsNone(raw.status(1))

    def test_idle_gets_goaway_whatever_pings_it_sends(self):
        with self.raw() as raw:
            raw.ack_settings()
            raw.send(raw.get(1, "/a.txt"))
            self.assertTrue(raw.read_until(lambda r: r.ended(1)))
            deadline = time.monotonic() + 10
            while not raw.closed and time.monotonic() < deadline:
                raw.send(PingFrame(0, opaque_data=b"stillhere"[:8]))
                raw.read_until(lambda r: r.closed, 0.3)
            self.assertTrue(raw.closed, "idle connection still open")
            goaway = raw.goaway()
            self.assertIsNotNone(goaway)
            self.assertEqual((goaway.error_code, goaway.last_stream_id), (NO_ERROR, 1))


class KeepaliveRequests(DefenceTestCase):
    CONFIG = {"keepalive_requests": 3}

    def test_goaway_after_keepalive_requests(self):
        with self.raw() as raw:
            raw.ack_settings()
            raw.send(*[raw.get(2 * i + 1, "/a.txt") for i in range(3)])
            self.assertTrue(raw.read_until(lambda r: r.goaway() and r.ended(5)), raw.frames)
            self.assertEqual(raw.goaway().last_stream_id, 5)
            self.assertEqual([raw.status(i) for i in (1, 3, 5)], [200, 200, 200])


class Malformed(DefenceTestCase):
    # RFC 9113 sections 8.2-8.3: each is a stream error of type PROTOCOL_ERROR on its own
    # stream; the connection, and the server, carry on.
    CASES = [
        ("upper-case name", request_headers("/a.txt", extra=[("Accept", "*/*")])),
        ("connection-specific", request_headers("/a.txt", extra=[("connection", "keep-alive")])),
        ("transfer-encoding", request_headers("/a.txt", extra=[("transfer-encoding", "chunked")])),
        ("upgrade", request_headers("/a.txt", extra=[("upgrade", "h2c")])),
        ("TE other than trailers", request_headers("/a.txt", extra=[("te", "gzip")])),
        ("no :path", [(":method", "GET"), (":scheme", "http"), (":authority", "x")]),
        ("no :method", [(":scheme", "http"), (":path", "/a.txt"), (":authority", "x")]),
        ("no :scheme", [(":method", "GET"), (":path", "/a.txt"), (":authority", "x")]),
        ("two :path", request_headers("/a.txt", extra=[(":path", "/b.txt")])),
        ("pseudo after regular", [(":method", "GET"), ("accept", "*/*"), (":scheme", "http"),
                                  (":path", "/a.txt"), (":authority", "x")]),
        ("unknown pseudo", request_headers("/a.txt", extra=[(":foo", "bar")])),
        (":path without /", [(":method", "GET"), (":scheme", "http"), (":path", "a.txt"),
                             (":authority", "x")]),
        (":path without / and another scheme", [(":method", "GET"), (":scheme", "foo"),
                                                (":path", "a.txt"), (":authority", "x")]),
        (":authority and Host disagree", request_headers("/a.txt", extra=[("host", "other")])),
        ("Host twice", [(":method", "GET"), (":scheme", "http"), (":path", "/a.txt"),
                        ("host", "x"), ("host", "x")]),
        ("Host not a host", [(":method", "GET"), (":scheme", "http"), (":path", "/a.txt"),
                             ("host", "a/b")]),
        ("control byte in a value", request_headers("/a.txt", extra=[("x", "a\x01b")])),
        ("space around a value", request_headers("/a.txt", extra=[("x", " a")])),
    ]

    def test_each_is_a_stream_error(self):
        with self.raw() as raw:
            raw.ack_settings()
            for i, (what, headers) in enumerate(self.CASES):
                with self.subTest(what):
                    stream_id = 2 * i + 1
                    raw.send(raw.headers(stream_id, headers))
                    raw.read_until(lambda r: r.reset_code(stream_id) is not None
                                   or r.status(stream_id) is not None or r.closed)
                    self.assertEqual(raw.reset_code(stream_id), PROTOCOL_ERROR)
                    self.assertIsNone(raw.status(stream_id))
            last = 2 * len(self.CASES) + 1
            raw.send(raw.get(last, "/a.txt"))
            self.assertTrue(raw.read_until(lambda r: r.ended(last)), raw.frames)
            self.assertEqual((raw.status(last), raw.body(last)), (200, A_TXT))
            self.assertIsNone(raw.goaway())


if __name__ == "__main__":
    unittest.main()
