# SPDX-License-Identifier: MIT
"""Tests of bench/benchlib.py: the output parsers on real wrk/ab output, that a stopped
server leaves no process of its group behind, also when the script is killed by SIGTERM, and
that the test certificate works for a real TLS handshake that checks it.

The "server" here is a small Python master that forks a worker which ignores SIGTERM, the
worst case for a script that only signals the master's PID.
"""

import gzip
import os
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

WRK_OUTPUT = """\
Running 2s test @ http://127.0.0.1:40001/small.html
  1 threads and 100 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.71ms  503.12us  12.93ms   84.56%
    Req/Sec    58.51k     3.22k   62.95k    80.00%
  Latency Distribution
     50%    1.62ms
     75%    1.88ms
     90%    2.21ms
     99%  812.00us
  116431 requests in 2.00s, 31.76MB read
  Socket errors: connect 0, read 3, write 1, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:  58215.50
Transfer/sec:     15.88MB
"""

AB_OUTPUT = """\
Concurrency Level:      100
Time taken for tests:   0.412 seconds
Complete requests:      5000
Failed requests:        7
Non-2xx responses:      2
Requests per second:    12135.92 [#/sec] (mean)
Percentage of the requests served within a certain time (ms)
  50%      8
  66%      8
  99%     13
 100%     15 (longest request)
"""

# The head of `ab -n 100 -c 10 https://...` against nginx (its TLS lines), and the counts.
AB_TLS_OUTPUT = """\
Server Software:        nginx/1.22.1
Server Hostname:        127.0.0.1
Server Port:            40443
SSL/TLS Protocol:       TLSv1.3,TLS_AES_256_GCM_SHA384,256,256
Server Temp Key:        X25519 253 bits
TLS Server Name:        127.0.0.1

Document Path:          /small.html
Complete requests:      100
Failed requests:        0
Requests per second:    1211.51 [#/sec] (mean)
"""

# Master: forks a worker that ignores SIGTERM, writes both PIDs, exits on SIGTERM.
FAKE_SERVER = textwrap.dedent("""\
    import os, signal, sys, time
    worker = os.fork()
    if worker == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        while True:
            time.sleep(1)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(f"{os.getpid()} {worker}")
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        time.sleep(1)
""")

# A bench script: starts the fake server, registers the exit cleanup, waits to be killed.
SCRIPT = textwrap.dedent("""\
    import sys, time
    sys.path.insert(0, sys.argv[1])
    import benchlib
    from pathlib import Path
    benchlib.stop_all_on_exit()
    pids = Path(sys.argv[3])
    server = benchlib.ServerProcess([sys.executable, sys.argv[2], pids], sys.argv[4])
    assert server.start(pids.exists) is None
    print("ready", flush=True)
    time.sleep(60)
""")


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose (it waits for its parent or init to reap it).
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def wait_gone(pid, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.05)
    return not alive(pid)


H2LOAD_OUTPUT = """\
starting benchmark...
spawning thread #0: 8 total client(s). 300000 total requests
Application protocol: h2c
progress: 100% done

finished in 1.43s, 209902.65 req/s, 9.61MB/s
requests: 300000 total, 300000 started, 300000 done, 299990 succeeded, 4 failed, 3 errored, 2 timeout
status codes: 299990 2xx, 0 3xx, 5 4xx, 1 5xx
traffic: 13.73MB (14401328) total, 6.87MB (7201088) headers (space savings 88.35%), 1.72MB (1800000) data
                     min         max         mean         sd        +/- sd
time for request:       74us      8.29ms       322us       191us    88.29%
"""


class ParserTest(unittest.TestCase):
    def test_h2load(self):
        r = benchlib.parse_h2load(H2LOAD_OUTPUT, [300, 100, 200, 400] + [1000] * 96)
        self.assertEqual(r["rps"], 209902.65)
        self.assertEqual(r["requests"], 299990)
        self.assertEqual(r["errors"], 4 + 3 + 2 + 5 + 1)
        self.assertEqual((r["p50"], r["p99"]), (1.0, 1.0))
        r = benchlib.parse_h2load(H2LOAD_OUTPUT, list(range(1, 101)))
        self.assertEqual((r["p50"], r["p99"]), (0.05, 0.099))
        self.assertIsNone(benchlib.parse_h2load("no result")["rps"])

    def test_h2load_log_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
            f.write("1700000000000000\t200\t321\n1700000000000001\t404\t9\n"
                    "1700000000000002\t200\t123\n")
            f.flush()
            self.assertEqual(benchlib.h2load_latencies(f.name), [321, 123])

    def test_wrk(self):
        r = benchlib.parse_wrk(WRK_OUTPUT)
        self.assertEqual(r["rps"], 58215.50)
        self.assertEqual(r["requests"], 116431)
        self.assertAlmostEqual(r["p50"], 1.62)
        self.assertAlmostEqual(r["p99"], 0.812)
        self.assertEqual(r["errors"], 3 + 1 + 2 + 4)

    def test_wrk_without_result(self):
        r = benchlib.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")
        self.assertIsNone(r["rps"])
        self.assertEqual(r["errors"], 0)

    def test_ab(self):
        r = benchlib.parse_ab(AB_OUTPUT)
        self.assertEqual(r["rps"], 12135.92)
        self.assertEqual((r["p50"], r["p99"]), (8.0, 13.0))
        self.assertEqual(r["errors"], 9)
        self.assertEqual(r["requests"], 5000)

    def test_ab_over_tls(self):
        r = benchlib.parse_ab(AB_TLS_OUTPUT)
        self.assertEqual(r["rps"], 1211.51)
        self.assertEqual(r["tls"], "TLSv1.3 TLS_AES_256_GCM_SHA384 X25519")
        self.assertEqual(r["errors"], 0)
        self.assertIsNone(benchlib.parse_ab(AB_OUTPUT)["tls"])

    def test_wrk_units(self):
        self.assertEqual(benchlib.wrk_ms("2.5s"), 2500.0)
        self.assertIsNone(benchlib.wrk_ms("n/a"))

    def test_table(self):
        table = benchlib.markdown_table(["a", "n"], [["x", 1], ["yy", 100]], numeric_from=1)
        self.assertEqual(table, "| a  |   n |\n|----|----:|\n| x  |   1 |\n| yy | 100 |\n")


class CompressibleTextTest(unittest.TestCase):
    def test_fixed_and_compressible_like_a_page(self):
        text = benchlib.compressible_text(100 * 1024)
        self.assertEqual(len(text), 100 * 1024)
        self.assertEqual(text, benchlib.compressible_text(100 * 1024))
        ratio = len(text) / len(gzip.compress(text, 1))
        self.assertTrue(2 < ratio < 10, ratio)


@unittest.skipIf(shutil.which("openssl") is None, "the openssl command is not installed")
class TlsCertificateTest(unittest.TestCase):
    """The certificate every HTTPS row uses: a real handshake with a client that checks it."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="benchlib-tls-")
        cls.cert = benchlib.TlsCertificate(Path(cls.tmp.name) / "tls")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def serve_one_connection(self):
        """A TLS server on a loopback port that answers one connection with b"ok"; returns the
        port, and a function that waits for the server's thread and returns what it raised."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert.chain, self.cert.key)
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(10)
        errors = []

        def serve():
            try:
                conn, _ = listener.accept()
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.sendall(b"ok")
            except (OSError, ssl.SSLError) as error:
                errors.append(error)
            finally:
                listener.close()

        thread = threading.Thread(target=serve)
        thread.start()
        self.addCleanup(thread.join, 10)

        def finish():
            thread.join(10)
            return errors

        return listener.getsockname()[1], finish

    def test_a_checking_client_accepts_it_for_127_0_0_1(self):
        port, finish = self.serve_one_connection()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with self.cert.client_context().wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                self.assertEqual(tls.recv(2), b"ok")
                names = tls.getpeercert()["subjectAltName"]
        self.assertEqual(finish(), [])
        self.assertIn(("IP Address", "127.0.0.1"), names)
        self.assertEqual(self.cert.chain.read_text().count("BEGIN CERTIFICATE"), 2)
        key = subprocess.run(["openssl", "pkey", "-in", self.cert.key, "-noout", "-text"],
                             capture_output=True, text=True, check=True, timeout=30).stdout
        self.assertIn("prime256v1", key)
        self.assertEqual(self.cert.key.stat().st_mode & 0o777, 0o600)

    def test_a_client_without_the_test_ca_refuses_it(self):
        port, finish = self.serve_one_connection()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with self.assertRaises(ssl.SSLCertVerificationError):
                ssl.create_default_context().wrap_socket(raw, server_hostname="127.0.0.1")
        self.assertTrue(finish(), "the server saw its certificate refused")

    def test_san_names_other_addresses(self):
        with tempfile.TemporaryDirectory(prefix="benchlib-tls-") as tmp:
            cert = benchlib.TlsCertificate(Path(tmp) / "tls", san="IP:10.199.20.1")
            text = subprocess.run(["openssl", "x509", "-in", cert.chain, "-noout", "-ext",
                                   "subjectAltName"], capture_output=True, text=True, check=True,
                                  timeout=30).stdout
        self.assertIn("IP Address:10.199.20.1", text)
        self.assertNotIn("127.0.0.1", text)


class CpuSecondsTest(unittest.TestCase):
    # A parent that forks a child which burns 0.5 s of CPU, says so, and then sleeps.
    BUSY_CHILD = textwrap.dedent("""\
        import os, time
        if os.fork() == 0:
            end = time.process_time() + 0.5
            while time.process_time() < end:
                pass
            print("burnt", flush=True)
        time.sleep(60)
        """)

    def test_counts_a_busy_child_and_not_an_idle_process(self):
        busy = subprocess.Popen([sys.executable, "-c", self.BUSY_CHILD], stdout=subprocess.PIPE,
                                text=True)
        idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            ready, _, _ = select.select([busy.stdout], [], [], 30)
            self.assertTrue(ready and busy.stdout.readline() == "burnt\n")
            self.assertGreaterEqual(benchlib.cpu_seconds(busy.pid), 0.5)
            self.assertLess(benchlib.cpu_seconds(idle.pid), 0.4)  # the interpreter's start
        finally:
            for proc in (busy, idle):
                for child in benchlib.child_pids(proc.pid):
                    os.kill(child, signal.SIGKILL)
                proc.kill()
                proc.wait()
            busy.stdout.close()


class ProcessGroupTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="benchlib-test-")
        self.dir = Path(self.tmp.name)
        (self.dir / "server.py").write_text(FAKE_SERVER)
        self.pids = self.dir / "pids"
        self.leftover = []

    def tearDown(self):
        for pid in self.leftover:  # only processes this test started
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.tmp.cleanup()

    def read_pids(self):
        master, worker = (int(p) for p in self.pids.read_text().split())
        self.leftover += [master, worker]
        return master, worker

    def test_stop_kills_a_worker_that_ignores_sigterm(self):
        server = benchlib.ServerProcess([sys.executable, self.dir / "server.py", self.pids],
                                        self.dir / "console.log", stop_timeout=5)
        self.assertIsNone(server.start(self.pids.exists))
        master, worker = self.read_pids()
        self.assertTrue(alive(worker))
        server.stop()
        self.assertTrue(wait_gone(master))
        self.assertTrue(wait_gone(worker), "the worker outlived its stopped server")
        server.stop()  # twice is harmless

    def test_failed_start_leaves_nothing(self):
        server = benchlib.ServerProcess([sys.executable, self.dir / "server.py", self.pids],
                                        self.dir / "console.log")
        reason = server.start(lambda: False, timeout=1.0)
        self.assertIn("not ready within", reason)
        master, worker = self.read_pids()
        self.assertTrue(wait_gone(master))
        self.assertTrue(wait_gone(worker))

    def test_sigterm_to_the_script_stops_its_servers(self):
        (self.dir / "script.py").write_text(SCRIPT)
        script = subprocess.Popen(
            [sys.executable, self.dir / "script.py", Path(benchlib.__file__).parent,
             self.dir / "server.py", self.pids, self.dir / "console.log"],
            stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(script.stdout.readline().strip(), "ready")
            master, worker = self.read_pids()
            script.send_signal(signal.SIGTERM)
            self.assertEqual(script.wait(timeout=15), 128 + signal.SIGTERM)
        finally:
            if script.poll() is None:
                script.kill()
                script.wait()
            script.stdout.close()
        self.assertTrue(wait_gone(master))
        self.assertTrue(wait_gone(worker), "the worker outlived the killed script")


if __name__ == "__main__":
    unittest.main()
