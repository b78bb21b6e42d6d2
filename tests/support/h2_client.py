# SPDX-License-Identifier: MIT
"""HTTP/2 clients for the tests, on Debian's python3-h2 (and the hyperframe and hpack packages it
brings): run these suites with /usr/bin/python3, the interpreter those packages are installed for.

  Client   a well-behaved client (h2's state machine): requests, responses, flow control.
  RawH2    a client that writes whatever frames it is told to, in any order, however hostile,
           and reads the server's frames back one by one: for the defences.

Both speak over a socket from `connect()`: plain (prior knowledge) or TLS with ALPN h2.
"""

import socket
import ssl
import time

import h2.config
import h2.connection
import h2.events
import h2.settings
from hpack import Encoder, Decoder
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame,
                              PingFrame, PriorityFrame, RstStreamFrame, SettingsFrame,
                              WindowUpdateFrame)

__all__ = ["connect", "Client", "H2Response", "RawH2", "PREFACE", "ContinuationFrame",
           "DataFrame", "GoAwayFrame", "HeadersFrame", "PingFrame", "PriorityFrame",
           "RstStreamFrame", "SettingsFrame", "WindowUpdateFrame", "NO_ERROR",
           "PROTOCOL_ERROR", "ENHANCE_YOUR_CALM", "REFUSED_STREAM", "request_headers"]

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
NO_ERROR = 0
PROTOCOL_ERROR = 1
INTERNAL_ERROR = 2
FLOW_CONTROL_ERROR = 3
REFUSED_STREAM = 7
COMPRESSION_ERROR = 9
ENHANCE_YOUR_CALM = 11


def connect(server, tls_context=None, timeout=5.0):
    """A connection to the harness's `server` that will speak HTTP/2: TLS with ALPN h2 when
    `tls_context` is given (its ALPN list must offer h2), else plain. Raises AssertionError when
    ALPN did not choose h2."""
    sock = socket.create_connection((server.host, server.port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if tls_context is None:
        return sock
    try:
        tls = tls_context.wrap_socket(sock, server_hostname="localhost")
    except BaseException:
        sock.close()
        raise
    if tls.selected_alpn_protocol() != "h2":
        tls.close()
        raise AssertionError(f"ALPN chose {tls.selected_alpn_protocol()!r}, not h2")
    return tls


def request_headers(path, method="GET", authority="localhost", scheme="http", extra=()):
    return [(":method", method), (":scheme", scheme), (":authority", authority),
            (":path", path), *extra]


class H2Response:
    def __init__(self, stream_id):
        self.stream_id = stream_id
        self.status = None
        self.headers = []  # (name, value) as received, names lower case
        self.body = b""
        self.ended = False
        self.reset = None  # the RST_STREAM error code, when the stream was reset

    def header(self, name, default=None):
        for n, v in self.headers:
            if n == name:
                return v
        return default

    def header_all(self, name):
        return [v for n, v in self.headers if n == name]

    def __repr__(self):
        return (f"H2Response(stream {self.stream_id}, {self.status}, {self.headers!r}, "
                f"body={len(self.body)} bytes, ended={self.ended}, reset={self.reset})")


class Client:
    """A well-behaved HTTP/2 client over `sock` (see connect())."""

    def __init__(self, sock, settings=None, timeout=5.0):
        self.sock = sock
        self.timeout = timeout
        config = h2.config.H2Configuration(client_side=True, header_encoding="utf-8",
                                           validate_inbound_headers=False)
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.initiate_connection()
        if settings:
            self.conn.update_settings(settings)
        self.responses = {}
        self.terminated = None  # h2.events.ConnectionTerminated, once the server said GOAWAY
        self.closed = False
        self.events = []
        self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def send_request(self, path, method="GET", headers=(), end_stream=True, authority="localhost",
                     scheme=None):
        scheme = scheme or ("https" if isinstance(self.sock, ssl.SSLSocket) else "http")
        stream_id = self.conn.get_next_available_stream_id()
        self.responses[stream_id] = H2Response(stream_id)
        self.conn.send_headers(stream_id, request_headers(path, method, authority, scheme,
                                                          list(headers)),
                               end_stream=end_stream)
        self.flush()
        return stream_id

    def pump(self, timeout=None):
        """Reads once (up to `timeout` seconds) and handles what came; False when the server
        closed the connection or the wait ran out."""
        self.sock.settimeout(timeout if timeout is not None else self.timeout)
        try:
            data = self.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return False
        except (ConnectionResetError, ssl.SSLEOFError, ssl.SSLZeroReturnError, BrokenPipeError):
            data = b""
        if not data:
            self.closed = True
            return False
        for event in self.conn.receive_data(data):
            self.events.append(event)
            self.handle(event)
        try:
            self.flush()
        except OSError:
            self.closed = True
        return True

    def handle(self, event):
        if isinstance(event, h2.events.ResponseReceived):
            r = self.responses.setdefault(event.stream_id, H2Response(event.stream_id))
            r.headers = [(n, v) for n, v in event.headers if not n.startswith(":")]
            r.status = int(dict(event.headers)[":status"])
        elif isinstance(event, h2.events.DataReceived):
            self.responses[event.stream_id].body += event.data
            if event.flow_controlled_length:
                self.conn.acknowledge_received_data(event.flow_controlled_length,
                                                    event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            self.responses[event.stream_id].ended = True
        elif isinstance(event, h2.events.StreamReset):
            if event.stream_id in self.responses:
                self.responses[event.stream_id].reset = event.error_code
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.terminated = event

    def wait(self, predicate, timeout=None):
        """Pumps until predicate() holds; returns its last value."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                break
            self.pump(left)
        return predicate()

    def wait_for(self, stream_id, timeout=None):
        """The response of `stream_id` once it ended or was reset (AssertionError otherwise)."""
        r = self.responses[stream_id]
        if not self.wait(lambda: r.ended or r.reset is not None, timeout):
            raise AssertionError(f"stream {stream_id} did not end: {r!r}; "
                                 f"terminated={self.terminated}, closed={self.closed}")
        return r

    def get(self, path, headers=(), method="GET", **kwargs):
        return self.wait_for(self.send_request(path, method, headers, **kwargs))

    def wait_closed(self, timeout=None):
        """True when the server closes the connection within `timeout` seconds."""
        return self.wait(lambda: self.closed, timeout)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class RawH2:
    """Writes frames exactly as told and reads the server's frames back, decoding header blocks.

    Starts with the client preface and an empty SETTINGS unless told otherwise; acknowledges
    nothing by itself (call ack_settings()), sends no WINDOW_UPDATE unless asked."""

    def __init__(self, sock, preface=True, settings=None, timeout=5.0):
        self.sock = sock
        self.timeout = timeout
        self.encoder = Encoder()
        self.decoder = Decoder()
        self.buffer = b""
        self.frames = []  # every frame received, in order
        self.closed = False
        if preface:
            self.sock.sendall(PREFACE + SettingsFrame(0, settings=settings or {}).serialize())

    def send(self, *frames):
        """Sends frames (hyperframe objects or bytes); False when the server has gone."""
        data = b"".join(f if isinstance(f, (bytes, bytearray)) else f.serialize() for f in frames)
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            self.closed = True
            return False

    def header_block(self, headers):
        return self.encoder.encode(headers)

    def headers(self, stream_id, headers, end_stream=True, end_headers=True):
        flags = []
        if end_stream:
            flags.append("END_STREAM")
        if end_headers:
            flags.append("END_HEADERS")
        return HeadersFrame(stream_id, data=self.header_block(headers), flags=flags)

    def header_frames(self, stream_id, headers, end_stream=True, max_frame=16384):
        """A header block too big for one frame: HEADERS, then CONTINUATION frames."""
        block = self.header_block(headers)
        pieces = [block[i:i + max_frame] for i in range(0, len(block), max_frame)]
        frames = [HeadersFrame(stream_id, data=pieces[0],
                               flags=["END_STREAM"] if end_stream else [])]
        frames += [ContinuationFrame(stream_id, data=p) for p in pieces[1:]]
        frames[-1].flags.add("END_HEADERS")
        return frames

    def get(self, stream_id, path, extra=(), end_stream=True, scheme=None):
        scheme = scheme or ("https" if isinstance(self.sock, ssl.SSLSocket) else "http")
        return self.headers(stream_id, request_headers(path, scheme=scheme, extra=extra),
                            end_stream=end_stream)

    def ack_settings(self):
        return self.send(SettingsFrame(0, flags=["ACK"]))

    def _read(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return False
        except (ConnectionResetError, ssl.SSLEOFError, ssl.SSLZeroReturnError, BrokenPipeError):
            data = b""
        if not data:
            self.closed = True
            return False
        self.buffer += data
        while len(self.buffer) >= 9:
            frame, length = Frame.parse_frame_header(memoryview(self.buffer[:9]))
            if len(self.buffer) < 9 + length:
                break
            frame.parse_body(memoryview(self.buffer[9:9 + length]))
            self.buffer = self.buffer[9 + length:]
            if isinstance(frame, (HeadersFrame, ContinuationFrame)):
                frame.decoded = self.decoder.decode(bytes(frame.data), raw=False) \
                    if "END_HEADERS" in frame.flags else []
            self.frames.append(frame)
        return True

    def read_until(self, predicate, timeout=None):
        """Reads until predicate(self) holds, the server closes, or `timeout` seconds pass;
        returns the predicate's last value."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        while not predicate(self):
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                break
            self._read(left)
        return predicate(self)

    def read_until_closed(self, timeout=None):
        return self.read_until(lambda s: s.closed, timeout)

    # -- what came -----------------------------------------------------------------------------

    def of(self, kind, stream_id=None):
        return [f for f in self.frames
                if isinstance(f, kind) and (stream_id is None or f.stream_id == stream_id)]

    def goaway(self):
        """The last GOAWAY received, or None."""
        frames = self.of(GoAwayFrame)
        return frames[-1] if frames else None

    def status(self, stream_id):
        """The :status of the response on `stream_id`, or None."""
        for f in self.of(HeadersFrame, stream_id):
            for name, value in f.decoded:
                if name == ":status":
                    return int(value)
        return None

    def reset_code(self, stream_id):
        frames = self.of(RstStreamFrame, stream_id)
        return frames[-1].error_code if frames else None

    def body(self, stream_id):
        return b"".join(bytes(f.data) for f in self.of(DataFrame, stream_id))

    def ended(self, stream_id):
        return any("END_STREAM" in f.flags for f in self.frames
                   if isinstance(f, (HeadersFrame, DataFrame)) and f.stream_id == stream_id)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
