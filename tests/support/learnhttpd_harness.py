# SPDX-License-Identifier: MIT
"""Black-box test harness for learnhttpd.

Starts the real binary with a temporary config on an ephemeral port, talks raw HTTP to it and
inspects its process tree.  Python standard library only, so the suites run anywhere the server
builds.

Environment:
  LEARNHTTPD_BIN    path to the server binary (required unless passed explicitly)
  LEARNHTTPD_MODEL  worker model to run every test under: "event" (default) or "threadpool"
"""

import hashlib
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time

__all__ = [
    "Server", "ServerError", "Response", "Symlink", "build_tree", "pseudo_random_bytes",
    "parse_responses", "parse_response", "binary_path", "worker_model", "wait_until",
    "process_gone", "children_of", "sha256", "IMF_FIXDATE", "Headers", "read_until_close",
    "read_responses", "become_subreaper", "reap", "process_group",
]

# RFC 9110 section 5.6.7: "Sun, 06 Nov 1994 08:49:37 GMT"
IMF_FIXDATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$")

_LISTENING = re.compile(r"listening on (\S+):(\d+)\s*$")
_STARTUP_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


class ServerError(AssertionError):
    """The server did not start or stop the way the contract says."""


def binary_path():
    path = os.environ.get("LEARNHTTPD_BIN")
    if not path:
        raise ServerError("LEARNHTTPD_BIN is not set; point it at the learnhttpd binary")
    return path


def worker_model():
    return os.environ.get("LEARNHTTPD_MODEL", "event")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def wait_until(predicate, timeout, interval=0.02):
    """Polls `predicate` until it returns a truthy value or `timeout` seconds pass.

    Returns the last value, so a caller can assert on it.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------

def _proc_stat(pid):
    """(state, ppid, pgrp) of `pid`, or None when it no longer exists."""
    try:
        with open(f"/proc/{pid}/stat", "r", encoding="ascii", errors="replace") as f:
            text = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name may contain spaces and parentheses; the fields after the last ')' do not.
    rest = text[text.rindex(")") + 2:].split()
    return rest[0], int(rest[1]), int(rest[2])


def process_gone(pid):
    """True when `pid` has exited (a zombie waiting to be reaped counts as exited)."""
    stat = _proc_stat(pid)
    return stat is None or stat[0] in ("Z", "X")


def stop_process(pid, timeout=5.0):
    """SIGSTOPs `pid` and waits until it has stopped (state T); False if it did not in time.
    Until then it may still be running -- e.g. waiting in epoll_wait, where with EPOLLEXCLUSIVE
    the kernel could hand it the next connection's wake-up alone."""
    os.kill(pid, signal.SIGSTOP)
    return wait_until(lambda: (_proc_stat(pid) or ("",))[0] == "T", timeout)


def become_subreaper():
    """Makes this process adopt orphaned descendants (Linux prctl PR_SET_CHILD_SUBREAPER), so
    workers that outlive a killed master can be reaped here instead of lingering as zombies
    under an init that may not reap.  Returns False where unsupported."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def reap(pids):
    """Collects the exit status of adopted (orphaned) `pids` that have exited; ignores others."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


def process_group(pgid):
    """Live processes whose process group is `pgid`."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _proc_stat(int(entry))
            if stat is not None and stat[2] == pgid and stat[0] not in ("Z", "X"):
                pids.append(int(entry))
    return sorted(pids)


def children_of(pid):
    """Live direct children of `pid`."""
    path = f"/proc/{pid}/task/{pid}/children"
    try:
        with open(path, "r", encoding="ascii") as f:
            pids = [int(p) for p in f.read().split()]
    except FileNotFoundError:
        # Kernels without CONFIG_PROC_CHILDREN: scan every process for its parent.
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                stat = _proc_stat(int(entry))
                if stat is not None and stat[1] == pid:
                    pids.append(int(entry))
    return sorted(p for p in pids if not process_gone(p))


# --------------------------------------------------------------------------------------------
# Document-root fixtures
# --------------------------------------------------------------------------------------------

class Symlink:
    """A symlink in a build_tree() spec; `target` is used verbatim (relative or absolute)."""

    def __init__(self, target):
        self.target = target


def build_tree(root, spec):
    """Creates files, directories and symlinks under `root` from a nested dict.

    Keys are names; values are bytes/str (a file), dict (a directory) or Symlink.
    Returns `root`.
    """
    os.makedirs(root, exist_ok=True)
    for name, value in spec.items():
        path = os.path.join(root, name)
        if isinstance(value, dict):
            build_tree(path, value)
        elif isinstance(value, Symlink):
            os.symlink(value.target, path)
        else:
            data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
            with open(path, "wb") as f:
                f.write(data)
    return root


def pseudo_random_bytes(size, seed):
    """Deterministic, incompressible-looking bytes (SHA-256 in counter mode)."""
    out = bytearray()
    counter = 0
    seed_bytes = str(seed).encode()
    while len(out) < size:
        out += hashlib.sha256(seed_bytes + counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[:size])


# --------------------------------------------------------------------------------------------
# Raw HTTP responses
# --------------------------------------------------------------------------------------------

class Headers:
    """Case-insensitive view of response header fields; repeated fields keep every value."""

    def __init__(self, pairs):
        self.pairs = list(pairs)
        self._map = {}
        for name, value in self.pairs:
            self._map.setdefault(name.lower(), []).append(value)

    def get(self, name, default=None):
        values = self._map.get(name.lower())
        return values[0] if values else default

    def get_all(self, name):
        return list(self._map.get(name.lower(), []))

    def __getitem__(self, name):
        values = self._map.get(name.lower())
        if not values:
            raise KeyError(name)
        return values[0]

    def __contains__(self, name):
        return name.lower() in self._map

    def __repr__(self):
        return f"Headers({self.pairs!r})"


class Response:
    def __init__(self, version, status, reason, headers, body, raw_head, complete):
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.raw_head = raw_head
        self.complete = complete  # False when the stream ended before Content-Length bytes

    def __repr__(self):
        return (f"Response({self.version} {self.status} {self.reason!r}, {self.headers!r}, "
                f"body={len(self.body)} bytes, complete={self.complete})")


def _parse_head(head):
    lines = head.decode("latin-1").split("\r\n")
    match = re.match(r"^(HTTP/\d\.\d) (\d{3}) ?(.*)$", lines[0])
    if not match:
        raise ValueError(f"malformed status line: {lines[0]!r}")
    pairs = []
    for line in lines[1:]:
        if ":" not in line:
            raise ValueError(f"malformed header line: {line!r}")
        name, value = line.split(":", 1)
        pairs.append((name, value.strip(" \t")))
    return match.group(1), int(match.group(2)), match.group(3), Headers(pairs)


def parse_responses(data, methods=()):
    """Splits a byte stream into responses.

    `methods[i]` is the request method of response i (default GET); a HEAD response, a 304 and
    1xx/204 have no body whatever Content-Length says.  Without Content-Length the body runs to
    the end of the stream.  Raises ValueError on a malformed head.
    """
    responses = []
    pos = 0
    while pos < len(data):
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            raise ValueError(f"incomplete response head: {data[pos:pos + 200]!r}")
        version, status, reason, headers = _parse_head(data[pos:end])
        raw_head = data[pos:end + 4]
        pos = end + 4
        method = methods[len(responses)] if len(responses) < len(methods) else "GET"
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body, complete = b"", True
        elif "content-length" in headers:
            length = int(headers["content-length"])
            body = data[pos:pos + length]
            complete = len(body) == length
            pos += len(body)
        else:
            body, complete = data[pos:], True
            pos = len(data)
        responses.append(Response(version, status, reason, headers, body, raw_head, complete))
    return responses


def parse_response(data, method="GET"):
    """Exactly one response; raises AssertionError when the stream holds zero or several."""
    responses = parse_responses(data, [method])
    if len(responses) != 1:
        raise AssertionError(f"expected exactly one response, got {len(responses)}: {data[:300]!r}")
    return responses[0]


# --------------------------------------------------------------------------------------------
# The server under test
# --------------------------------------------------------------------------------------------

def _merge(base, overrides):
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _substitute(value, tmp):
    if isinstance(value, str):
        return value.replace("{tmp}", tmp)
    if isinstance(value, dict):
        return {k: _substitute(v, tmp) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, tmp) for v in value]
    return value


class Server:
    """One learnhttpd master (and its workers) on 127.0.0.1 with an ephemeral port.

    Usage:
        with Server(docroot, config={"workers": 1}) as srv:
            status = srv.get("/a.txt").status

    `config` is merged into the defaults (nested dicts merge key by key) and written as JSON,
    which is valid YAML.  `args` are extra command-line flags after `-c CONFIG`.  In config
    strings and args, "{tmp}" stands for the server's private temp dir (see `path()`).

    `client_tls`: an ssl.SSLContext when the (first) listener speaks TLS; connect(), raw(),
    request() then talk through it (with server_hostname "localhost").

    Optional, for supervision tests: `env` adds variables to the server's environment;
    `pass_fds` keeps those descriptors open in it (subprocess semantics); `launcher` is a
    command placed before the server's own argv, e.g. ["sh", "-c", 'X=$$ exec "$@"', "sh"],
    which must exec the server so that `pid` stays the server's pid.
    """

    def __init__(self, document_root, config=None, args=(), binary=None, start=True,
                 env=None, pass_fds=(), launcher=(), client_tls=None):
        binary = binary or binary_path()
        self.document_root = document_root
        self.tmpdir = tempfile.TemporaryDirectory(prefix="learnhttpd-test-")
        self.dir = self.tmpdir.name
        self.config_path = os.path.join(self.dir, "learnhttpd.yaml")
        self.pid_file = os.path.join(self.dir, "learnhttpd.pid")
        defaults = {
            "listen": ["127.0.0.1:0"],
            "document_root": document_root,
            "workers": 2,
            "worker_model": worker_model(),
            "user": "",
            "pid_file": self.pid_file,
            "shutdown_timeout": "2s",  # bounds a stop even when a worker misbehaves
            "log": {"error_log": "stderr", "access_log": "off"},
        }
        self.config = _substitute(_merge(defaults, config or {}), self.dir)
        with open(self.config_path, "w", encoding="utf-8") as f:
            json.dump(self.config, f, indent=2)
        self.args = [binary, "-c", self.config_path,
                     *_substitute(list(args), self.dir)]
        self.env = dict(os.environ, **(env or {})) if env else None
        self.pass_fds = tuple(pass_fds)
        self.launcher = list(launcher)
        self.client_tls = client_tls
        self.proc = None
        self.port = None
        self.host = "127.0.0.1"
        self.returncode = None
        self._lines = []
        self._stdout = []
        self._cond = threading.Condition()
        self._threads = []
        if start:
            try:
                self.start()
            except BaseException:
                self.close()
                raise

    # -- life cycle ---------------------------------------------------------------------------

    def start(self):
        # A session (and process group) of its own: every process the server forks can be found,
        # and killed as a last resort, even after the master is gone.
        self.proc = subprocess.Popen(self.launcher + self.args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True, env=self.env,
                                     pass_fds=self.pass_fds)
        self._threads = [
            threading.Thread(target=self._drain, args=(self.proc.stderr, self._lines), daemon=True),
            threading.Thread(target=self._drain, args=(self.proc.stdout, self._stdout), daemon=True),
        ]
        for t in self._threads:
            t.start()
        try:
            self._await_listening()
            self._await_pid_file()
        except BaseException:
            self._kill()
            raise
        return self

    def _await_pid_file(self):
        """The master writes its pid file and start record just after the "listening on" line;
        a test that runs `learnhttpd -s` at once must find them. Not for a daemon (-d: the
        process started here exits) nor a pid file the master could not write (its warning
        says so); a few seconds at most."""
        pid_file = self.config.get("pid_file")
        if "--pid-file" in self.args[:-1]:
            pid_file = self.args[self.args.index("--pid-file") + 1]
        if not pid_file or not os.path.isabs(pid_file) or "-d" in self.args:
            return
        deadline = time.monotonic() + 3.0
        while not (os.path.exists(pid_file) and os.path.exists(pid_file + ".cmdline")):
            with self._cond:
                if any("-s will not find this process" in line for line in self._lines):
                    return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                return  # the test sees why
            time.sleep(0.01)

    def _drain(self, stream, sink):
        for raw_line in iter(stream.readline, b""):
            with self._cond:
                sink.append(raw_line.decode("utf-8", "replace").rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def _await_listening(self):
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        with self._cond:
            while True:
                for line in self._lines:
                    match = _LISTENING.search(line)
                    if match:
                        self.host, self.port = match.group(1), int(match.group(2))
                        return
                if self.proc.poll() is not None and not self._threads[0].is_alive():
                    raise ServerError(f"server exited with {self.proc.returncode} before "
                                      f"listening; stderr:\n" + "\n".join(self._lines))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ServerError("no 'listening on' line within "
                                      f"{_STARTUP_TIMEOUT}s; stderr:\n" + "\n".join(self._lines))
                self._cond.wait(min(remaining, 0.1))

    def stop(self, sig=signal.SIGTERM, timeout=_STOP_TIMEOUT):
        """Signals the master, waits for it and asserts it exited 0 with no worker left."""
        if self.proc is None or self.returncode is not None:
            return self.returncode
        workers = self.worker_pids()
        self.proc.send_signal(sig)
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._kill()
            raise ServerError(f"master did not exit within {timeout}s of {sig.name}; killed it")
        self._join_drains()
        gone = wait_until(lambda: not self._leftovers(workers), 2.0)
        left = [] if gone else self._leftovers(workers)
        self._kill_group()
        if self.returncode != 0:
            raise ServerError(f"master exited with {self.returncode} after {sig.name}; stderr:\n"
                              + "\n".join(self._lines[-20:]))
        if left:
            raise ServerError(f"processes {left} still alive after the master exited")
        return self.returncode

    def _leftovers(self, workers):
        return sorted(set(p for p in workers if not process_gone(p))
                      | set(process_group(self.proc.pid)))

    def _kill_group(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def _kill(self):
        """Last resort: SIGKILL the master and whatever workers it had."""
        if self.proc is None or self.proc.poll() is not None:
            if self.proc is not None:
                self.returncode = self.proc.returncode
            return
        workers = self.worker_pids()
        self._kill_group()
        self.proc.kill()
        self.returncode = self.proc.wait()
        for p in workers:
            _kill_quietly(p)
        self._join_drains()

    def _join_drains(self):
        for t in self._threads:
            t.join(2.0)

    def close(self):
        self._kill()
        if self.proc is not None:
            self._kill_group()  # whatever outlived a master that is already gone
        if self.proc is not None:
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream:
                    stream.close()
        self.tmpdir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.stop()
        finally:
            self.close()
        return False

    # -- observation --------------------------------------------------------------------------

    @property
    def pid(self):
        return self.proc.pid

    def worker_pids(self):
        return children_of(self.proc.pid)

    def wait_for_workers(self, count, timeout=5.0):
        """Polls until exactly `count` workers exist; returns their pids (possibly fewer)."""
        return wait_until(lambda: len(self.worker_pids()) == count and self.worker_pids(),
                          timeout) or self.worker_pids()

    def stderr_lines(self):
        with self._cond:
            return list(self._lines)

    def log_mark(self):
        """How many error-log (stderr) lines have arrived so far; pass it to wait_for_log()."""
        with self._cond:
            return len(self._lines)

    def wait_for_log(self, pattern, timeout=5.0, since=0):
        """Waits until a stderr line at index >= `since` matches the regex `pattern` (searched,
        not anchored); returns the re.Match, or None after `timeout` seconds or once the
        server's stderr has closed without such a line."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self._lines[since:]:
                    match = regex.search(line)
                    if match:
                        return match
                remaining = deadline - time.monotonic()
                stderr_open = self._threads and self._threads[0].is_alive()
                if remaining <= 0 or not stderr_open:
                    return None
                self._cond.wait(min(remaining, 0.1))

    def signal(self, sig):
        """Sends `sig` to the master."""
        self.proc.send_signal(sig)

    def write_config(self, overrides=None, text=None):
        """Rewrites the config file for a reload: `overrides` merge into the current config
        (as at start-up), or `text` replaces the file verbatim.  Returns the file's text."""
        if text is None:
            self.config = _substitute(_merge(self.config, overrides or {}), self.dir)
            text = json.dumps(self.config, indent=2)
        with open(self.config_path, "w", encoding="utf-8") as f:
            f.write(text)
        return text

    def stdout_lines(self):
        with self._cond:
            return list(self._stdout)

    def path(self, name):
        """A path inside this server's private temp dir."""
        return os.path.join(self.dir, name)

    # -- talking ------------------------------------------------------------------------------

    def connect(self, timeout=5.0):
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.client_tls is None:
            return sock
        try:
            return self.client_tls.wrap_socket(sock, server_hostname="localhost")
        except BaseException:
            sock.close()
            raise

    def raw(self, data, timeout=5.0, shut_wr=False):
        """Sends `data` on a new connection and reads until the server closes it or `timeout`
        seconds pass without the connection closing.  Returns the bytes received."""
        with self.connect(timeout) as sock:
            sock.sendall(data)
            if shut_wr:
                sock.shutdown(socket.SHUT_WR)
            return read_until_close(sock, timeout)[0]

    def request(self, method, target, headers=None, version="HTTP/1.1", timeout=5.0):
        """One request with `Connection: close`; returns the parsed Response."""
        fields = {"Host": "localhost", "Connection": "close"}
        fields.update(headers or {})
        head = f"{method} {target} {version}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v is not None)
        data = self.raw((head + "\r\n").encode("latin-1"), timeout)
        return parse_response(data, method)

    def get(self, target, headers=None, **kwargs):
        return self.request("GET", target, headers, **kwargs)

    def head(self, target, headers=None, **kwargs):
        return self.request("HEAD", target, headers, **kwargs)


def read_until_close(sock, timeout):
    """Reads until EOF or `timeout` seconds; returns (data, closed_by_peer)."""
    chunks = []
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"".join(chunks), False
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return b"".join(chunks), False
        except (ConnectionResetError, ssl.SSLEOFError):  # a TLS peer gone without close_notify
            return b"".join(chunks), True
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)


def read_responses(sock, count, methods=(), timeout=5.0):
    """Reads from a kept-open connection until `count` complete responses have arrived.

    Returns (responses, leftover_closed) where the second item says the peer closed the
    connection.  Raises AssertionError on timeout."""
    data = b""
    deadline = time.monotonic() + timeout
    closed = False
    while True:
        try:
            parsed = parse_responses(data, methods)
            if len(parsed) >= count and all(r.complete for r in parsed):
                return parsed, closed
        except ValueError:
            pass  # head still incomplete
        if closed:
            raise AssertionError(f"connection closed after {data[:500]!r}")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"timed out waiting for {count} responses; got {data[:500]!r}")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, ssl.SSLEOFError):
            chunk = b""
        if not chunk:
            closed = True
        data += chunk


def _kill_quietly(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
