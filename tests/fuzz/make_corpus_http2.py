#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpus of fuzz_http2_session (tests/fuzz/corpus_http2/): ordinary requests
and the attacks of tests/integration/test_http2_defences.py, shortened so that each input runs
in milliseconds. Each file is the fuzzer's input: a first byte that chooses the feeding (see
http2_session_invariants.hpp: bits 0-2 the piece size, 8 a graceful stop, 16 a timeout at the
end, 32 no client magic), then the client's frames after the magic.

Run by Debian's python3 (python3-hyperframe and python3-hpack come with python3-h2):
    tests/fuzz/make_corpus_http2.py
The files are checked in; rerun this only to change the seeds."""

import os

from hpack import Encoder
from hyperframe.frame import (ContinuationFrame, DataFrame, GoAwayFrame, HeadersFrame,
                              PingFrame, PriorityFrame, RstStreamFrame, SettingsFrame,
                              WindowUpdateFrame)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus_http2")

WHOLE, ONE, TWO, THREE, NINE, SEVENTEEN, SIXTYFOUR, THOUSAND = range(8)
DRAIN, EXPIRE, NO_MAGIC = 8, 16, 32
INITIAL_WINDOW_SIZE = 0x4


def request(path, method="GET", extra=()):
    return [(":method", method), (":scheme", "http"), (":authority", "localhost"),
            (":path", path), *extra]


class Seed:
    def __init__(self, mode=WHOLE, settings=None):
        self.mode = mode
        self.encoder = Encoder()
        self.frames = [SettingsFrame(0, settings=settings or {})]

    def add(self, *frames):
        self.frames.extend(frames)
        return self

    def headers(self, stream_id, headers, end_stream=True, end_headers=True):
        flags = (["END_STREAM"] if end_stream else []) + (["END_HEADERS"] if end_headers else [])
        return HeadersFrame(stream_id, data=self.encoder.encode(headers), flags=flags)

    def get(self, stream_id, path, **kwargs):
        return self.headers(stream_id, request(path, **kwargs))

    def bytes(self):
        return bytes([self.mode]) + b"".join(
            f if isinstance(f, bytes) else f.serialize() for f in self.frames)


def seeds():
    out = {}
    s = Seed()
    out["get_simple"] = s.add(s.get(1, "/a.txt"))
    s = Seed(THREE)
    paths = ["/", "/dir", "/dir/", "/noindex/", "/missing", "/big.bin", "/.env", "/.git/config",
             "/.well-known/token", "/../secret.txt", "/%2e%2e/secret.txt", "/link_out.txt",
             "/link_abs.txt", "/outside_dir/secret.txt", "/link_in.txt", "*", "/a.txt?x=1#f"]
    s.add(SettingsFrame(0, flags=["ACK"]))
    for i, path in enumerate(paths):
        s.add(s.get(2 * i + 1, path, method="OPTIONS" if path == "*" else "GET"))
    out["many_paths"] = s
    s = Seed(NINE)
    s.add(s.get(1, "/a.txt", method="HEAD"),
          s.get(3, "/a.txt", extra=[("range", "bytes=1-2")]),
          s.get(5, "/a.txt", extra=[("if-none-match", "*")]),
          s.get(7, "/a.txt", extra=[("if-modified-since", "Sun, 06 Nov 2033 08:49:37 GMT")]),
          s.get(9, "/big.bin", extra=[("range", "bytes=100000-100099")]),
          s.get(11, "/a.txt", extra=[("range", "bytes=5-")]),
          s.get(13, "/a.txt", method="POST"),
          s.get(15, "/index.html", extra=[("accept-encoding", "gzip, br")]))
    out["head_range_conditional"] = s
    s = Seed(SIXTYFOUR)
    s.add(s.get(1, "/big.bin"))
    for _ in range(12):
        s.add(WindowUpdateFrame(1, window_increment=32768), WindowUpdateFrame(0, window_increment=32768))
    out["big_with_window_updates"] = s
    s = Seed()
    for i in range(300):
        s.add(s.get(2 * i + 1, "/a.txt"), RstStreamFrame(2 * i + 1, error_code=8))
    out["rapid_reset"] = s
    s = Seed()
    for i in range(300):
        s.add(s.get(2 * i + 1, "/a.txt"), WindowUpdateFrame(2 * i + 1, window_increment=0x7fffffff))
    out["made_you_reset"] = s
    s = Seed()
    s.add(HeadersFrame(1, data=s.encoder.encode(request("/a.txt")), flags=["END_STREAM"]))
    s.add(*[ContinuationFrame(1, data=b"") for _ in range(50)])
    out["continuation_flood"] = s
    s = Seed()
    s.add(s.get(1, "/a.txt", extra=[("x-bomb", "b" * 4000)] * 100), s.get(3, "/a.txt"))
    out["hpack_bomb"] = s
    s = Seed(SEVENTEEN)
    block = s.encoder.encode(request("/a.txt", extra=[("x-big", "v" * 20000)]))
    s.add(HeadersFrame(1, data=block[:16384], flags=["END_STREAM"]),
          ContinuationFrame(1, data=block[16384:], flags=["END_HEADERS"]), s.get(3, "/a.txt"))
    out["oversized_list"] = s
    out["settings_flood"] = Seed().add(*[SettingsFrame(0) for _ in range(600)])
    out["ping_flood"] = Seed().add(*[PingFrame(0, opaque_data=i.to_bytes(8, "big"))
                                     for i in range(600)])
    out["priority_flood"] = Seed().add(*[PriorityFrame(2 * i + 1, depends_on=0, stream_weight=15)
                                         for i in range(600)])
    out["window_update_flood"] = Seed().add(*[WindowUpdateFrame(0, window_increment=1)
                                              for _ in range(600)])
    s = Seed(settings={INITIAL_WINDOW_SIZE: 0})
    s.add(s.headers(1, request("/big.bin", "POST"), end_stream=False))
    s.add(*[DataFrame(1, data=b"") for _ in range(600)])
    out["empty_data_flood"] = s
    s = Seed(TWO)
    malformed = [
        request("/a.txt", extra=[("Accept", "*/*")]),
        request("/a.txt", extra=[("connection", "keep-alive")]),
        request("/a.txt", extra=[("te", "gzip")]),
        [(":method", "GET"), (":scheme", "http"), (":authority", "x")],
        request("/a.txt", extra=[(":path", "/b.txt")]),
        [(":method", "GET"), ("accept", "*/*"), (":scheme", "http"), (":path", "/a.txt")],
        [(":method", "GET"), (":scheme", "foo"), (":path", "a.txt"), (":authority", "x")],
        request("/a.txt", extra=[("host", "other")]),
        request("/a.txt", extra=[("x", "a\x01b")]),
    ]
    for i, headers in enumerate(malformed):
        s.add(s.headers(2 * i + 1, headers))
    s.add(s.get(2 * len(malformed) + 1, "/a.txt"))
    out["malformed"] = s
    s = Seed(settings={INITIAL_WINDOW_SIZE: 0})
    s.add(SettingsFrame(0, flags=["ACK"]), s.get(1, "/big.bin"))
    s.add(*[PingFrame(0, opaque_data=b"12345678") for _ in range(5)])
    out["zero_window"] = s
    s = Seed(settings={INITIAL_WINDOW_SIZE: 0})
    s.add(SettingsFrame(0, flags=["ACK"]))
    s.add(*[s.get(2 * i + 1, "/big.bin") for i in range(120)])
    out["concurrent_streams"] = s
    s = Seed()
    s.add(s.get(1, "/a.txt"), GoAwayFrame(0, last_stream_id=0, error_code=0), s.get(3, "/a.txt"))
    out["client_goaway"] = s
    s = Seed(DRAIN | EXPIRE)
    s.add(s.get(1, "/a.txt"), PingFrame(0, opaque_data=b"lhdrain!", flags=["ACK"]),
          s.get(3, "/a.txt"))
    out["drain_and_expire"] = s
    s = Seed(EXPIRE | ONE)
    s.add(s.headers(1, request("/a.txt"), end_headers=False))
    out["expire_mid_header_block"] = s
    s = Seed(NO_MAGIC)
    s.frames = []
    s.add(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    out["no_magic"] = s
    s = Seed(THOUSAND)
    s.add(b"\x00\x00\x07\x00\x00\x00\x00\x00\x00garbage")  # DATA on stream 0
    out["data_on_stream_zero"] = s
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, seed in sorted(seeds().items()):
        data = seed.bytes() if isinstance(seed, Seed) else seed
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
