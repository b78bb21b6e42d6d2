#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Loads one page the way a browser does, over HTTP/1.1 or HTTP/2, and says how long it took.

Usage: page_load.py MODE URL [--ca FILE] [--runs N] [--one-write]
MODE:
  h1         HTTP/1.1, one request at a time per connection, 6 connections (a browser's limit
             per host): the page on the first; once it is parsed, the other 5 open at once and
             each connection takes the next asset when it is done with its last
  h1-pipe    HTTP/1.1 with pipelining: the same 6 connections, each sent its share of the
             assets at once (round robin), answers read in order
  h1-1       HTTP/1.1, a single connection, one request at a time (the reference)
  h2         HTTP/2: one connection, every asset requested as soon as the page is parsed,
             in writes of at most 1,400 bytes that each end at a frame's end (one TCP segment
             each, as a browser writing requests as it finds them); --one-write sends them in
             one write, which the link cuts into segments wherever they fall (a header block
             split between two segments: the case of a server bug fixed since, see
             docs/protocols.md)
  rtt        no page: times N TCP connects to URL's host and port (one round trip each), to
             check the link's delay
URL is https:// (TLS, ALPN h2 or http/1.1 as MODE says, certificate checked against --ca) or
http:// (HTTP/2 by prior knowledge). The page's assets are the src= and href= of its tags.
Every request carries what a browser sends (User-Agent, Accept, Accept-Language,
Accept-Encoding, a cookie), so that header sizes are realistic.

Prints one JSON line per run: the time from the first connect to the last byte of the last
asset (ms), connections opened, assets fetched, the TLS version (or null), the bytes the
client wrote (before TLS: the requests, and for HTTP/2 its preface, SETTINGS and WINDOW_UPDATE
frames too) and read (after TLS), the bytes of each request's head as sent (HTTP/1.1: the
request; HTTP/2: its HEADERS frame, HPACK-compressed, with the 9-byte frame header), and the
bytes of the bodies; h1-1 adds each asset's size and time from request to answer. A run that
fails prints {"mode": ..., "error": ...} instead, and the next run goes on. Run by Debian's
python3 (python3-h2)."""

import argparse
import html.parser
import json
import socket
import ssl
import sys
import threading
import time
import urllib.parse

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

BROWSER_FIELDS = [
    ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/120.0.0.0 Safari/537.36"),
    ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
               "*/*;q=0.8"),
    ("accept-language", "en-GB,en;q=0.9"),
    ("accept-encoding", "gzip, deflate, br"),
    ("cookie", "session=4f9c2d7a1b8e43f0a6c5d2e1f0b9a8c7; theme=dark; consent=analytics%3Dno%26"
               "ads%3Dno; _visits=17; last=2026-11-24T13%3A37%3A15Z"),
]
CONNECTIONS = 6
# HTTP/2's requests go out in writes of at most this much (one TCP segment on a link of MTU
# 1500), each ending at a frame's end; see --one-write.
WRITE_PIECE = 1400


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith(("#", "http")):
                self.links.append(value)


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = 0
        self.received = 0
        self.connections = 0
        self.bodies = 0
        self.heads = []  # the bytes of each request's head, in the order sent
        self.tls = None  # the TLS version, e.g. "TLSv1.3"
        self.timed = []  # h1-1: [body bytes, ms from request to answer] of each asset

    def add(self, sent=0, received=0, connections=0, body=0):
        with self.lock:
            self.sent += sent
            self.received += received
            self.connections += connections
            self.bodies += body

    def request(self, head_bytes):
        with self.lock:
            self.heads.append(head_bytes)


def address(url):
    return url.hostname, url.port or (443 if url.scheme == "https" else 80)


_contexts = {}


def tls_context(ca, alpn):
    """One context per CA and ALPN for every connection (a browser loads its roots once)."""
    if (ca, alpn) not in _contexts:
        context = ssl.create_default_context(cafile=ca)
        context.set_alpn_protocols([alpn])
        _contexts[(ca, alpn)] = context
    return _contexts[(ca, alpn)]


def open_connection(url, ca, alpn, counters):
    sock = socket.create_connection(address(url), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    counters.add(connections=1)
    if url.scheme != "https":
        return sock
    sock = tls_context(ca, alpn).wrap_socket(sock, server_hostname=url.hostname)
    if sock.selected_alpn_protocol() != alpn:
        raise RuntimeError(f"ALPN: the server chose {sock.selected_alpn_protocol()}, not {alpn}")
    counters.tls = sock.version()
    return sock


# ---- HTTP/1.1 --------------------------------------------------------------------------------

def h1_request(url, path, counters):
    head = f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
    head += "".join(f"{name.title()}: {value}\r\n" for name, value in BROWSER_FIELDS)
    data = (head + "\r\n").encode()
    counters.request(len(data))
    return data


class H1Reader:
    """Reads answers one after the other from a keep-alive connection (Content-Length only)."""

    def __init__(self, sock, counters):
        self.sock = sock
        self.buffer = b""
        self.counters = counters

    def answer(self):
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(self.buffer) < length:
            self._more()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        if status != 200:
            raise RuntimeError(f"status {status}")
        self.counters.add(body=len(body))
        return body

    def _more(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.counters.add(received=len(data))
        self.buffer += data


def send(sock, data, counters):
    sock.sendall(data)
    counters.add(sent=len(data))


def load_h1(url, ca, mode, counters):
    first = open_connection(url, ca, "http/1.1", counters)
    send(first, h1_request(url, url.path, counters), counters)
    reader = H1Reader(first, counters)
    parser = Links()
    parser.feed(reader.answer().decode("utf-8", "replace"))
    assets = [urllib.parse.urljoin(url.path, link) for link in parser.links]
    if mode == "h1-1":
        for path in assets:
            started = time.monotonic()
            send(first, h1_request(url, path, counters), counters)
            size = len(reader.answer())
            counters.timed.append([size, round((time.monotonic() - started) * 1000, 1)])
        first.close()
        return len(assets)
    pending = list(reversed(assets))
    lock = threading.Lock()
    errors = []

    def worker(index, share):
        sock = None
        try:
            # The page's connection is reused; the other 5 open now, in parallel, as a
            # browser opens them once it knows it has more requests than connections.
            sock = first if index == 0 else open_connection(url, ca, "http/1.1", counters)
            sock_reader = reader if index == 0 else H1Reader(sock, counters)
            if mode == "h1-pipe":
                send(sock, b"".join(h1_request(url, path, counters) for path in share), counters)
                for _ in share:
                    sock_reader.answer()
                return
            while True:
                with lock:
                    if not pending:
                        return
                    path = pending.pop()
                send(sock, h1_request(url, path, counters), counters)
                sock_reader.answer()
        except Exception as error:  # noqa: BLE001 -- reported by the caller
            errors.append(error)
        finally:
            if sock is not None:
                sock.close()

    threads = [threading.Thread(target=worker, args=(i, assets[i::CONNECTIONS]))
               for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return len(assets)


# ---- HTTP/2 ----------------------------------------------------------------------------------

def load_h2(url, ca, counters, one_write=False):
    sock = open_connection(url, ca, "h2", counters)
    config = h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
    conn = h2.connection.H2Connection(config=config)
    # A browser's windows: 6 MiB per stream, 15 MiB for the connection (Chrome's), said in the
    # first SETTINGS frame.
    codes = h2.settings.SettingCodes
    conn.local_settings = h2.settings.Settings(client=True, initial_values={
        codes.MAX_CONCURRENT_STREAMS: 100, codes.ENABLE_PUSH: 0,
        codes.MAX_HEADER_LIST_SIZE: conn.DEFAULT_MAX_HEADER_LIST_SIZE,
        codes.INITIAL_WINDOW_SIZE: 6 << 20})
    conn.initiate_connection()
    conn.increment_flow_control_window((15 << 20) - 65535)
    out = [conn.data_to_send()]
    bodies, ended = {}, set()

    def request(path):
        stream_id = conn.get_next_available_stream_id()
        conn.send_headers(stream_id, [(":method", "GET"), (":scheme", url.scheme),
                                      (":authority", url.netloc), (":path", path),
                                      *BROWSER_FIELDS], end_stream=True)
        frame = conn.data_to_send()  # this request's HEADERS frame alone
        counters.request(len(frame))
        out.append(frame)
        bodies[stream_id] = bytearray()
        return stream_id

    def flush():
        out.append(conn.data_to_send())
        frames = [frame for frame in out if frame]
        out.clear()
        if one_write:
            frames = [b"".join(frames)]
        # Writes of at most WRITE_PIECE bytes that end where a frame ends: with TCP_NODELAY each
        # is a TCP segment of its own, and no header block straddles two segments.
        piece = b""
        for frame in frames:
            if piece and len(piece) + len(frame) > WRITE_PIECE:
                send(sock, piece, counters)
                piece = b""
            piece += frame
        if piece:
            send(sock, piece, counters)

    def until(done):
        while not done():
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("the server closed the connection")
            counters.add(received=len(data))
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.DataReceived):
                    bodies[event.stream_id] += event.data
                    counters.add(body=len(event.data))
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    ended.add(event.stream_id)
                elif isinstance(event, h2.events.StreamReset):
                    raise RuntimeError(f"stream {event.stream_id} reset by the server: "
                                       f"{event.error_code.name}")
                elif isinstance(event, h2.events.ConnectionTerminated):
                    raise RuntimeError(f"GOAWAY from the server: {event.error_code.name}")
                elif isinstance(event, h2.events.ResponseReceived):
                    status = dict(event.headers)[":status"]
                    if status != "200":
                        raise RuntimeError(f"status {status}")
            flush()

    page = request(url.path)
    flush()
    until(lambda: page in ended)
    parser = Links()
    parser.feed(bodies[page].decode("utf-8", "replace"))
    streams = [request(urllib.parse.urljoin(url.path, link)) for link in parser.links]
    flush()
    until(lambda: all(s in ended for s in streams))
    sock.close()
    return len(streams)


# ---- the link ------------------------------------------------------------------------------

def connect_times(url, count):
    """`count` TCP connects, one after the other: each takes one round trip (SYN, SYN-ACK)."""
    times = []
    for _ in range(count):
        started = time.monotonic()
        sock = socket.create_connection(address(url), timeout=10)
        times.append(round((time.monotonic() - started) * 1000, 2))
        sock.close()
        time.sleep(0.05)
    return times


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["h1", "h1-pipe", "h1-1", "h2", "rtt"])
    parser.add_argument("url")
    parser.add_argument("--ca")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--one-write", action="store_true",
                        help="h2: write the assets' requests in one piece, whatever its size")
    args = parser.parse_args(argv)
    url = urllib.parse.urlsplit(args.url)
    if args.mode == "rtt":
        print(json.dumps({"mode": "rtt", "connect_ms": connect_times(url, args.runs)}))
        return 0
    for _ in range(args.runs):
        counters = Counters()
        started = time.monotonic()
        try:
            if args.mode == "h2":
                assets = load_h2(url, args.ca, counters, args.one_write)
            else:
                assets = load_h1(url, args.ca, args.mode, counters)
        except (OSError, RuntimeError, h2.exceptions.ProtocolError) as error:
            print(json.dumps({"mode": args.mode, "error": f"{type(error).__name__}: {error}"}),
                  flush=True)
            continue
        elapsed = (time.monotonic() - started) * 1000
        print(json.dumps({"mode": args.mode, "ms": round(elapsed, 1), "assets": assets,
                          "connections": counters.connections, "sent": counters.sent,
                          "received": counters.received, "bodies": counters.bodies,
                          "tls": counters.tls, "request_heads": counters.heads,
                          "asset_ms": counters.timed}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
