# SPDX-License-Identifier: MIT
"""What the bench/ scripts share: free ports, servers started and stopped as a process group,
one GET, wrk and ab output parsing, Markdown tables, a compressible test file, a test CA and
certificate for the HTTPS rows.

A server is started in a session (and so a process group) of its own. Stopping it sends SIGTERM
to its main process, waits, and then SIGKILLs whatever is left in the group, so workers of a
master that died or hung never outlive the script. `stop_all_on_exit()` makes every server that
is still running stop when the script ends, whether by return, exception, ^C, SIGTERM or SIGHUP.
Python 3 standard library only.
"""

import atexit
import os
import re
import resource
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


# ---- test files ------------------------------------------------------------------------------

PAGE_WORDS = [b"<div class=\"item\">", b"<p>", b"</p>\n", b"</div>\n", b"<a href=\"/docs/",
              b"\">", b"</a>", b"static", b"files", b"server", b"request", b"answer", b"model",
              b"thread", b"event", b"loop", b"keep-alive", b"gzip", b"the", b"a", b"of", b"and"]


def compressible_text(size, seed=1):
    """`size` bytes that compress like a web page (about 4:1 with gzip), not like a run of one
    byte: words of a small vocabulary in a pseudo-random, fixed order (the same every run)."""
    out, state = bytearray(), seed
    while len(out) < size:
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        out += PAGE_WORDS[(state >> 16) % len(PAGE_WORDS)]
        if state & 0x100:
            out += b" "
    return bytes(out[:size])


# ---- a test certificate ----------------------------------------------------------------------

class TlsCertificate:
    """A test CA and an ECDSA P-256 leaf for 127.0.0.1 and localhost it signed, made with the
    openssl command line in `directory`: `ca` (the CA certificate, for clients to trust),
    `chain` (leaf, then CA: two certificates, as a real leaf and its intermediate would be
    sent) and `key` (the leaf's private key, mode 0600). Valid for `days` days from now. `san`
    names other addresses, as openssl's subjectAltName says them (bench/protocols' server is at
    an address of its network namespace: "IP:10.199.20.1")."""

    description = "ECDSA P-256 leaf for 127.0.0.1 signed by a test CA, sent as leaf + CA"

    def __init__(self, directory, days=7, san="IP:127.0.0.1,DNS:localhost"):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ca = self.dir / "ca.pem"
        self.chain = self.dir / "chain.pem"
        self.key = self.dir / "leaf.key"
        ca_key, leaf, csr = self.dir / "ca.key", self.dir / "leaf.pem", self.dir / "leaf.csr"
        extensions = self.dir / "leaf.ext"
        extensions.write_text(f"subjectAltName={san}\n"
                              "keyUsage=critical,digitalSignature\n"
                              "extendedKeyUsage=serverAuth\n"
                              "basicConstraints=critical,CA:FALSE\n")
        for key in (ca_key, self.key):
            _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key)
        _openssl("req", "-x509", "-new", "-key", ca_key, "-subj", "/CN=learnhttpd bench CA",
                 "-days", str(days), "-out", self.ca)
        _openssl("req", "-new", "-key", self.key, "-subj", "/CN=localhost", "-out", csr)
        # No -set_serial: OpenSSL draws a random 159-bit serial, as a public CA must.
        _openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", ca_key,
                 "-days", str(days), "-extfile", extensions, "-out", leaf)
        self.chain.write_bytes(leaf.read_bytes() + self.ca.read_bytes())
        for path in self.dir.iterdir():
            path.chmod(0o644 if path.suffix == ".pem" else 0o600)

    def client_context(self):
        """A client context that trusts the test CA and checks the name, as a browser would."""
        return ssl.create_default_context(cafile=str(self.ca))


def _openssl(*args):
    subprocess.run(["openssl", *[str(a) for a in args]], check=True, capture_output=True,
                   timeout=60)


# ---- ports and requests ----------------------------------------------------------------------

def free_port():
    """A port nobody listens on right now (another process may still take it before we bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def can_connect(port, timeout=0.5):
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_get(port, path, timeout=5.0):
    """(status, body) of one HTTP/1.0 GET on a fresh connection; (None, b"") on a socket error
    or an answer that is not HTTP."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout) as sock:
            sock.sendall(f"GET {path} HTTP/1.0\r\nHost: bench\r\n\r\n".encode())
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
    except OSError:
        return None, b""
    head, sep, body = data.partition(b"\r\n\r\n")
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", head)
    if not sep or not match:
        return None, b""
    return int(match.group(1)), body


# ---- server processes ------------------------------------------------------------------------

_running = set()  # every ServerProcess started and not yet stopped


class ServerProcess:
    """One server (a master and its workers) in a process group of its own.

    `argv` starts it in the foreground; its stdout and stderr go to `console_path`; the last
    lines of it and of `logs` (e.g. the server's error log) explain a failed start.
    """

    def __init__(self, argv, console_path, stop_timeout=10.0, logs=()):
        self.argv = [str(a) for a in argv]
        self.console_path = Path(console_path)
        self.logs = [Path(p) for p in logs]
        self.stop_timeout = stop_timeout
        self.proc = None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def start(self, ready, timeout=10.0):
        """Starts the server and polls `ready()` until it returns true. Returns None when
        ready, else the reason (the process is stopped then)."""
        with open(self.console_path, "wb") as console:
            # A session of its own: ^C in a terminal reaches only the script, which stops the
            # server itself, and the server's workers share a group the script can signal.
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=console,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        _running.add(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                reason = f"exited with status {self.proc.returncode}: {self.console_tail()}"
                self.stop()
                return reason
            if ready():
                return None
            time.sleep(0.05)
        self.stop()
        return f"not ready within {timeout:.0f} s: {self.console_tail()}"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, signum):
        """Sends `signum` to the main process only (e.g. SIGHUP to a master)."""
        if self.alive():
            self.proc.send_signal(signum)

    def stop(self):
        """SIGTERM to the main process, SIGKILL after `stop_timeout`; then SIGKILL to the whole
        group, for workers left behind. Safe to call twice."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        _running.discard(self)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def console_tail(self, lines=3):
        text = ""
        for path in (self.console_path, *self.logs):
            if path.exists():
                text += path.read_text(errors="replace")
        kept = [line for line in text.splitlines() if line.strip()]
        return " | ".join(kept[-lines:]) or "(no output)"


def child_pids(pid):
    """The PIDs of a process's direct children (a master's workers)."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_seconds(pid):
    """User + system CPU time, in seconds, that a process and its descendants alive now have
    used (a server: its master, workers and helpers)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            # The fields after the command name (which may hold spaces and parentheses).
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        pending += child_pids(current)
    return total / os.sysconf("SC_CLK_TCK")


def stop_all():
    for server in list(_running):
        server.stop()


def stop_all_on_exit():
    """Every server still running is stopped when the interpreter exits; SIGTERM and SIGHUP
    leave like ^C does (through `finally` blocks and atexit) instead of killing the script
    and orphaning its servers."""
    atexit.register(stop_all)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda sig, _frame: sys.exit(128 + sig))


def raise_fd_limit(wanted=65536):
    """Many connections need more descriptors than the usual 1024; servers and tools started
    afterwards inherit the raised soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


# ---- load tools ------------------------------------------------------------------------------

_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def wrk_ms(text):
    """wrk's latency text (812.00us, 1.23ms, 2.01s) in milliseconds; None if unreadable."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text or "")
    return float(match.group(1)) * _TIME_UNITS_MS[match.group(2)] if match else None


def parse_wrk(text):
    """{rps, p50, p99 (ms), errors, requests, socket_errors} from `wrk --latency` output; errors
    = socket errors + non-2xx/3xx responses. Missing numbers are None (requests: 0)."""
    result = {"rps": None, "p50": None, "p99": None, "errors": 0, "requests": 0,
              "socket_errors": "none"}
    if match := re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M):
        result["rps"] = float(match.group(1))
    if match := re.search(r"(\d+) requests in", text):
        result["requests"] = int(match.group(1))
    for pct in ("50", "99"):
        if match := re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)\s*$", text, re.M):
            result["p" + pct] = wrk_ms(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                          text):
        result["errors"] += sum(int(n) for n in match.groups())
        result["socket_errors"] = match.group(0)
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text):
        result["errors"] += int(match.group(1))
    return result


def parse_ab(text):
    """{rps, p50, p99 (whole ms), errors, requests, tls} from ab output; errors = failed +
    non-2xx; requests: completed; tls: over HTTPS, what was negotiated ("TLSv1.3
    TLS_AES_256_GCM_SHA384 X25519"), else None."""
    result = {"rps": None, "p50": None, "p99": None, "errors": 0, "requests": 0, "tls": None}
    if match := re.search(r"^Requests per second:\s+([\d.]+)", text, re.M):
        result["rps"] = float(match.group(1))
    if match := re.search(r"^Complete requests:\s+(\d+)", text, re.M):
        result["requests"] = int(match.group(1))
    for pct in ("50", "99"):
        if match := re.search(rf"^\s+{pct}%\s+(\d+)\s*$", text, re.M):
            result["p" + pct] = float(match.group(1))
    for label in ("Failed requests", "Non-2xx responses"):
        if match := re.search(rf"^{label}:\s+(\d+)", text, re.M):
            result["errors"] += int(match.group(1))
    if match := re.search(r"^SSL/TLS Protocol:\s+([^,\s]+),([^,\s]+)", text, re.M):
        result["tls"] = f"{match.group(1)} {match.group(2)}"
        if key := re.search(r"^Server Temp Key:\s+(\S+)", text, re.M):
            result["tls"] += " " + key.group(1)
    return result


def parse_h2load(text, latencies_us=()):
    """{rps, p50, p99 (ms), errors, requests} from h2load output; errors = failed + errored +
    timeout + 4xx + 5xx; requests: succeeded. h2load prints no percentiles: they come from
    `latencies_us`, the third column of its --log-file (microseconds per request), when given."""
    result = {"rps": None, "p50": None, "p99": None, "errors": 0, "requests": 0}
    if match := re.search(r"^finished in \S+, ([\d.]+) req/s", text, re.M):
        result["rps"] = float(match.group(1))
    if match := re.search(r"^requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, "
                          r"(\d+) failed, (\d+) errored, (\d+) timeout", text, re.M):
        result["requests"] = int(match.group(1))
        result["errors"] += sum(int(n) for n in match.groups()[1:])
    if match := re.search(r"^status codes: \d+ 2xx, \d+ 3xx, (\d+) 4xx, (\d+) 5xx", text, re.M):
        result["errors"] += int(match.group(1)) + int(match.group(2))
    times = sorted(latencies_us)
    if times:
        for pct in (50, 99):
            rank = min(len(times) - 1, max(0, -(-pct * len(times) // 100) - 1))
            result[f"p{pct}"] = times[rank] / 1000.0
    return result


def h2load_latencies(path):
    """The microseconds per request of an h2load --log-file (tab-separated: start, status,
    duration), of the requests answered 2xx."""
    times = []
    with open(path, encoding="ascii", errors="replace") as f:
        for line in f:
            fields = line.split("\t")
            if len(fields) >= 3 and fields[1].startswith("2"):
                times.append(int(fields[2]))
    return times


def summarize(runs):
    """The median of several parsed wrk/ab/h2load runs: {rps (median), min, max, p50, p99, cpu_us (the
    server's CPU time per request, where measured) (medians), errors (summed over every run),
    failed_runs}. A run that gave no requests/s is failed."""
    ok = [r for r in runs if not r.get("failed") and r.get("rps") is not None]
    rps = [r["rps"] for r in ok]

    def median_of(key):
        values = [r[key] for r in ok if r.get(key) is not None]
        return statistics.median(values) if values else None

    return {
        "rps": statistics.median(rps) if rps else None,
        "min": min(rps) if rps else None,
        "max": max(rps) if rps else None,
        "p50": median_of("p50"),
        "p99": median_of("p99"),
        "cpu_us": median_of("cpu_us"),
        "errors": sum(r["errors"] for r in runs),
        "failed_runs": len(runs) - len(ok),
    }


# ---- tables ----------------------------------------------------------------------------------

def fmt_rps(value):
    return "–" if value is None else f"{value:,.0f}"


def fmt_ms(value):
    if value is None:
        return "–"
    return f"{value:.0f}" if value >= 10 else f"{value:.2f}"


def markdown_table(header, rows, numeric_from=None):
    """A Markdown table with padded columns; columns from `numeric_from` on are right-aligned."""
    numeric_from = len(header) if numeric_from is None else numeric_from
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]

    def line(cells):
        padded = [str(c).rjust(w) if i >= numeric_from else str(c).ljust(w)
                  for i, (c, w) in enumerate(zip(cells, widths))]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i >= numeric_from else ("-" * (w + 2))
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule] + [line(r) for r in rows]) + "\n"
