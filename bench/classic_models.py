# SPDX-License-Identifier: MIT
"""The classic comparison of server models (bench/compare-models --classic), every learnhttpd
worker model as a row and nginx as the reference, in the layout of docs/models.md:

  1. wrk -t2 -c10 -d10s on a 38-byte file, one worker each: requests/s and latency;
  2. 1,000 and 10,000 clients, each connecting and sending 100 keep-alive requests (an asyncio
     client bounded in time): time to connect all, time to finish, failed clients;
  3. CPU-bound: a 100 KiB text file compressed per request (on-the-fly gzip, zlib level 1 in
     learnhttpd and nginx, "Accept-Encoding: gzip"), wrk -t2 -c50;
  4. a fixed rate of 1,000 requests/s over 400 keep-alive connections (an asyncio client that
     measures from each request's scheduled time, so a stalled server is not hidden by a client
     that waits for it): latency percentiles;
  5. threads 1/4/10/50 for threads-queue and threadpool, with and without the access log, wrk
     -t2 -c100.
With runs > 1 (bench/compare-models --classic --runs N) tables 1, 3 and 5 show the median of N
runs per cell (errors summed over them), the runs interleaved across the models.
Prints the Markdown tables, writes them and a gnuplot PNG per table (bench/classic_plots.py)
to bench/results/classic-<time>/.
Every server runs in a process group of its own that benchlib stops however the script ends;
every client loop is bounded in count and time; only 127.0.0.1 is used.
"""

import asyncio
import gzip
import http.client
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib
from classic_plots import plot_tables
from benchlib import REPO, fmt_ms, fmt_rps, free_port, markdown_table, parse_wrk

SMALL_BODY = b"<html><body>small file.</body></html>\n"
assert len(SMALL_BODY) == 38
TEXT_SIZE = 100 * 1024
GZIP_LEVEL = 1  # learnhttpd's and nginx's default
MODELS = ("blocking", "process-per-connection", "thread-per-connection", "threads-accept",
          "threads-queue", "busy-poll", "select", "event", "threadpool")
POOL_THREADS = 4  # the threaded models' default in tables 1-4


class Settings:
    def __init__(self, quick, runs=1):
        scale = 0.2 if quick else 1.0
        # Runs per cell of the wrk tables (1, 3 and 5), interleaved: every model's first run,
        # then every model's second, ... The tables show the medians. Tables 2 and 4 run once:
        # their cells are long and their figures (failures, a 10,000-request distribution) are
        # not a single sample that a rerun would smooth.
        self.runs = max(1, runs)
        self.duration = max(1, round(10 * scale))          # wrk seconds per cell
        self.clients = (100, 200) if quick else (1000, 10000)
        self.requests = 10 if quick else 100                # keep-alive requests per client
        self.many_cap = 6.0 if quick else 45.0              # seconds per many-clients cell
        self.rate_seconds = 2.0 if quick else 10.0
        self.sweep = (1, 4) if quick else (1, 4, 10, 50)
        self.sweep_duration = max(1, round(5 * scale))


# ---- servers ---------------------------------------------------------------------------------

class Target:
    """learnhttpd with one model (or nginx) on its own port, one worker."""

    def __init__(self, label, model, tmp, docroot, threads=POOL_THREADS, access_log=False):
        self.label, self.model, self.threads = label, model, threads
        self.dir = Path(tempfile.mkdtemp(prefix="srv-", dir=tmp))
        self.port = free_port()
        self.docroot, self.access_log = docroot, access_log
        self.proc = None

    def start(self, binary):
        if self.model == "nginx":
            conf = self.dir / "nginx.conf"
            conf.write_text(
                f"daemon off;\nmaster_process on;\nuser root;\nworker_processes 1;\n"
                f"pid {self.dir}/nginx.pid;\nerror_log {self.dir}/error.log warn;\n"
                f"worker_rlimit_nofile 30000;\nevents {{ worker_connections 12000; }}\n"
                f"http {{\n  access_log off;\n  sendfile on;\n  keepalive_requests 100000;\n"
                f"  gzip on;\n  gzip_comp_level {GZIP_LEVEL};\n  gzip_min_length 256;\n"
                + "".join(f"  {n}_temp_path {self.dir}/{n};\n"
                          for n in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
                + f"  server {{ listen 127.0.0.1:{self.port} backlog=4096; "
                  f"root {self.docroot}; }}\n}}\n")
            argv = ["nginx", "-c", conf, "-p", self.dir]
        else:
            conf = self.dir / "learnhttpd.yaml"
            log = str(self.dir / "access.log") if self.access_log else "off"
            conf.write_text(json.dumps({
                "listen": [f"127.0.0.1:{self.port}"], "document_root": str(self.docroot),
                "workers": 1, "worker_model": self.model, "threads": self.threads,
                "max_connections": 12000, "keepalive_requests": 100000,
                "user": "", "pid_file": str(self.dir / "pid"), "shutdown_timeout": "2s",
                "gzip": {"enabled": True, "level": GZIP_LEVEL},
                "log": {"access_log": log, "quiet": not self.access_log,
                        "error_log": str(self.dir / "error.log")}}))
            argv = [binary, "-c", conf]
        self.proc = benchlib.ServerProcess(argv, self.dir / "console.log",
                                           logs=[self.dir / "error.log"])
        reason = self.proc.start(lambda: benchlib.http_get(self.port, "/small.html")[1] ==
                                 SMALL_BODY)
        if reason is not None:
            raise RuntimeError(f"{self.label}: {reason}")
        return self

    def stop(self):
        if self.proc is not None:
            self.proc.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def wrk(port, path, threads, conns, seconds, out_dir, name, headers=()):
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for h in headers:
        cmd += ["-H", h]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    try:
        text = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=seconds + 30).stdout
    except subprocess.TimeoutExpired:
        text = ""
    (out_dir / f"{name}.wrk.txt").write_text(text)
    return parse_wrk(text)


# ---- asyncio clients -------------------------------------------------------------------------

REQUEST = b"GET /small.html HTTP/1.1\r\nHost: bench\r\n\r\n"


async def read_answer(reader):
    """Reads one answer to REQUEST (a 38-byte body); False if it was not a 200."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
    await reader.readexactly(length)
    return head.startswith(b"HTTP/1.1 200")


async def many_clients(port, clients, requests, cap):
    """`clients` connect at once, then each sends `requests` keep-alive requests one by one.
    Returns (seconds to connect all, seconds to finish, failed clients); times are None when not
    everyone got that far within `cap` seconds."""
    start = time.monotonic()
    connected = asyncio.Event()
    count = {"connected": 0, "failed": 0}
    last_connect = [None]

    async def client():
        writer = None
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            count["connected"] += 1
            if count["connected"] == clients:
                last_connect[0] = time.monotonic() - start
                connected.set()
            for _ in range(requests):
                writer.write(REQUEST)
                if not await read_answer(reader):
                    raise ConnectionError("not 200")
        except (OSError, asyncio.IncompleteReadError, ValueError, AttributeError,
                ConnectionError, asyncio.LimitOverrunError):
            count["failed"] += 1
        finally:
            if writer is not None:
                writer.close()

    tasks = [asyncio.ensure_future(client()) for _ in range(clients)]
    done, pending = await asyncio.wait(tasks, timeout=cap)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    finished = time.monotonic() - start if not pending else None
    return last_connect[0], finished, count["failed"] + len(pending)


async def fixed_rate(port, conns, rate, seconds):
    """`rate` requests/s spread over `conns` keep-alive connections for `seconds`; latency from
    each request's scheduled send time. Returns (sorted latencies in ms, errors)."""
    latencies, errors = [], [0]
    interval = conns / rate
    begin = time.monotonic() + 0.5

    async def connection(index):
        writer = None
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            due = begin + index / rate
            while due < begin + seconds:
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                writer.write(REQUEST)
                if not await asyncio.wait_for(read_answer(reader), 10):
                    errors[0] += 1
                latencies.append((time.monotonic() - due) * 1000)
                due += interval
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError,
                AttributeError):
            errors[0] += 1
        finally:
            if writer is not None:
                writer.close()

    await asyncio.wait_for(asyncio.gather(*(connection(i) for i in range(conns)),
                                          return_exceptions=True), seconds + 20)
    return sorted(latencies), errors[0]


def percentile(values, p):
    if not values:
        return None
    return values[min(len(values) - 1, int(len(values) * p / 100))]


# ---- the tables ------------------------------------------------------------------------------

def rows_for(binary, tmp, docroot, out, run, models):
    rows = []
    for model in models:
        label = model
        try:
            with Target(label, model, tmp, docroot).start(binary) as target:
                rows.append(run(target, out))
        except RuntimeError as error:
            print(f"  {label}: {error}", file=sys.stderr)
            rows.append([label] + ["–"] * 4)
        print(f"  {rows[-1]}", file=sys.stderr)
    return rows


def medians_for(binary, tmp, docroot, out, s, targets, measure):
    """{label: benchlib.summarize of s.runs runs of measure(target, out, name)}; targets are
    (label, Target keyword arguments) pairs, each started afresh for every run, the order rotated from
    run to run so no model always follows the same one. A target that does not start counts as
    a failed run."""
    samples = {label: [] for label, _ in targets}
    for rep in range(s.runs):
        shift = rep % len(targets)
        for label, kwargs in targets[shift:] + targets[:shift]:
            name = label.replace(" ", "-") + (f".run{rep + 1}" if s.runs > 1 else "")
            try:
                with Target(label, tmp=tmp, docroot=docroot, **kwargs).start(binary) as t:
                    samples[label].append(measure(t, out, name))
            except RuntimeError as error:
                print(f"  {label}: {error}", file=sys.stderr)
                samples[label].append({"failed": True, "rps": None, "errors": 0})
            print(f"  run {rep + 1}/{s.runs} {label}: {samples[label][-1].get('rps')}",
                  file=sys.stderr)
    return {label: benchlib.summarize(runs) for label, runs in samples.items()}


def wrk_row(label, st):
    """A row of a wrk table: requests/s, p50, p99 (medians), errors (summed)."""
    return [label, fmt_rps(st["rps"]), fmt_ms(st["p50"]), fmt_ms(st["p99"]), st["errors"]]


WRK_HEADER = ["model", "requests/s", "latency p50 (ms)", "latency p99 (ms)", "errors"]


def table_wrk_small(binary, tmp, docroot, out, s, models):
    def measure(t, out, name):
        return wrk(t.port, "/small.html", 2, 10, s.duration, out, f"small-{name}")
    stats = medians_for(binary, tmp, docroot, out, s, [(m, {"model": m}) for m in models], measure)
    return markdown_table(WRK_HEADER, [wrk_row(m, stats[m]) for m in models], 1)


def table_many(binary, tmp, docroot, out, s, models):
    rows = []
    for model in models:
        for clients in s.clients:
            try:
                with Target(model, model, tmp, docroot).start(binary) as t:
                    conn, fin, failed = asyncio.run(
                        many_clients(t.port, clients, s.requests, s.many_cap))
                rows.append([model, f"{clients:,}",
                             "–" if conn is None else f"{conn:.2f}",
                             f"> {s.many_cap:.0f}" if fin is None else f"{fin:.2f}", failed])
            except RuntimeError as error:
                print(f"  {model}: {error}", file=sys.stderr)
                rows.append([model, f"{clients:,}", "–", "–", "–"])
            print(f"  {rows[-1]}", file=sys.stderr)
    return markdown_table(["model", "clients", "connect all (s)", "finish (s)",
                           "failed clients"], rows, 1)


def gzips(port, docroot):
    """Whether /text.html comes back gzip-encoded and restores the file."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/text.html", headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        body = response.read()
        return (response.getheader("Content-Encoding") == "gzip"
                and gzip.decompress(body) == (docroot / "text.html").read_bytes())
    except (OSError, http.client.HTTPException, EOFError, gzip.BadGzipFile):
        return False
    finally:
        conn.close()


def table_cpu(binary, tmp, docroot, out, s, models):
    def measure(t, out, name):
        if not gzips(t.port, docroot):
            print(f"  {t.label}: /text.html is not gzip-encoded", file=sys.stderr)
            return {"failed": True, "rps": None, "errors": 0}
        return wrk(t.port, "/text.html", 2, 50, s.duration, out, f"gzip-{name}",
                   headers=["Accept-Encoding: gzip"])
    stats = medians_for(binary, tmp, docroot, out, s, [(m, {"model": m}) for m in models], measure)
    return markdown_table(WRK_HEADER, [wrk_row(m, stats[m]) for m in models], 1)


def table_rate(binary, tmp, docroot, out, s, models):
    def run(t, out):
        lat, errors = asyncio.run(fixed_rate(t.port, 400, 1000, s.rate_seconds))
        return [t.label] + [fmt_ms(percentile(lat, p)) for p in (50, 90, 99)] + \
            [fmt_ms(lat[-1] if lat else None), errors]
    rows = rows_for(binary, tmp, docroot, out, run, models)
    return markdown_table(["model", "p50 (ms)", "p90 (ms)", "p99 (ms)", "max (ms)", "errors"],
                          rows, 1)


def table_sweep(binary, tmp, docroot, out, s):
    cells = [(model, threads, log) for model in ("threads-queue", "threadpool")
             for threads in s.sweep for log in (False, True)]
    targets = [(f"{m} t{n}{' log' if log else ''}", {"model": m, "threads": n, "access_log": log})
               for m, n, log in cells]

    def measure(t, out, name):
        return wrk(t.port, "/small.html", 2, 100, s.sweep_duration, out, name)
    stats = medians_for(binary, tmp, docroot, out, s, targets, measure)
    rows = [[m, n, "on" if log else "off", fmt_rps(st["rps"]), fmt_ms(st["p99"]), st["errors"]]
            for (m, n, log), (label, _) in zip(cells, targets) for st in [stats[label]]]
    return markdown_table(["model", "threads", "access log", "requests/s", "p99 (ms)", "errors"],
                          rows, 3)


def run_classic(binary, quick=False, runs=1):
    s = Settings(quick, runs)
    benchlib.stop_all_on_exit()
    benchlib.raise_fd_limit(65536)
    started = time.monotonic()
    out = REPO / "bench" / "results" / time.strftime("classic-%Y%m%d-%H%M%S")
    out.mkdir(parents=True)
    models = list(MODELS) + (["nginx"] if shutil.which("nginx") else [])
    with tempfile.TemporaryDirectory(prefix="learnhttpd-classic-") as tmp:
        docroot = Path(tmp) / "www"
        docroot.mkdir()
        (docroot / "small.html").write_bytes(SMALL_BODY)
        (docroot / "text.html").write_bytes(benchlib.compressible_text(TEXT_SIZE))
        sections = []
        med = f", median of {s.runs} runs" if s.runs > 1 else ""
        print("1/5 wrk -t2 -c10, 38 B", file=sys.stderr)
        small = table_wrk_small(binary, tmp, docroot, out, s, models)
        sections.append((f"wrk -t2 -c10 -d{s.duration}s, 38-byte file, keep-alive{med}", small))
        print("2/5 many clients", file=sys.stderr)
        sections.append((f"{' and '.join(f'{c:,}' for c in s.clients)} clients x {s.requests} "
                         f"keep-alive requests (cap {s.many_cap:.0f} s per cell)",
                         table_many(binary, tmp, docroot, out, s, models)))
        print("3/5 CPU-bound gzip", file=sys.stderr)
        sections.append((f"CPU-bound: on-the-fly gzip (level {GZIP_LEVEL}) of a 100 KiB text "
                         f"file, wrk -t2 -c50 -d{s.duration}s{med}",
                         table_cpu(binary, tmp, docroot, out, s, models)))
        print("4/5 fixed rate", file=sys.stderr)
        sections.append((f"Fixed rate: 1,000 requests/s over 400 connections, "
                         f"{s.rate_seconds:.0f} s", table_rate(binary, tmp, docroot, out, s,
                                                               models)))
        print("5/5 thread sweep", file=sys.stderr)
        sections.append((f"Thread count sweep, wrk -t2 -c100 -d{s.sweep_duration}s{med}",
                         table_sweep(binary, tmp, docroot, out, s)))
    text = "".join(f"**{title}**\n\n{table}\n" for title, table in sections)
    text += f"(all cells: one worker process; {time.monotonic() - started:.0f} s in total)\n"
    (out / "table.md").write_text(text)
    pngs = plot_tables(out / "table.md", out)
    print(text)
    print(f"results in {out}" + (f", plots: {', '.join(p.name for p in pngs)}" if pngs else
                                 " (no plots: gnuplot is missing)"), file=sys.stderr)
    return 0
