#!/usr/bin/env python3
"""The fault matrix of the stream mode, with real processes on loopback: `serve -c 3` and
`consume` processes on a generated capture of 200 MiB, one process killed, stopped or
disturbed at a point of the run chosen by its progress (how far the server has read its
capture, from /proc), never by time. Every run that ends with a report prints exactly the
`-c 0` report; every run that cannot fails with one clear error, no report and status 1,
within a bounded time.

Usage: fault_matrix.py SCENARIO PACKET_ANALYSIS GENERATOR WORK_DIR
SCENARIO is one of the names in SCENARIOS (one ctest test each), or `capture` to make the
capture alone."""
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

SCENARIO, BINARY, GENERATOR, WORK = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
CONSUMERS = 3
# Consumers wait up to 40 ms before each batch (about 128 KiB of headers), so a 200 MiB run lasts a
# few seconds and a point chosen by progress can be hit.
PACING = "delay_us=40000"
BOUND_S = 30  # how long a run may take to end after its fault
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, flush=True)
    return condition


def capture():
    """The 200 MiB capture and the -c 0 report of it, made once per work folder."""
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "faults.pcap"
    if not path.exists():
        subprocess.run([GENERATOR, "-o", str(path), "--size", "200M", "--seed", "14"],
                       check=True, capture_output=True)
    want = subprocess.run([BINARY, "-c", "0", "-q", "-f", str(path)], capture_output=True,
                          timeout=120, check=True).stdout
    return path, want


class Server:
    """`serve` on a free port; its standard error is read as it comes."""

    def __init__(self, path, connections=CONSUMERS, env=None, port=0):
        self.path = Path(path)
        self.rss_file = WORK / f"serve-{SCENARIO}.rss"
        self.proc = subprocess.Popen(
            ["/usr/bin/time", "-f", "%M", "-o", str(self.rss_file), BINARY, "serve", "-p",
             str(port), "-c", str(connections), "-f", str(path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})})
        self.lines = []
        self.port = None
        listening = threading.Event()

        def read_errors():
            for raw in self.proc.stderr:
                line = raw.decode(errors="replace").rstrip("\n")
                self.lines.append(line)
                found = re.search(r"serving on \[?[0-9a-f.:]+?\]?:(\d+)", line)
                if found and self.port is None:
                    self.port = int(found.group(1))
                    listening.set()
            listening.set()

        self.out = []
        self.reader = threading.Thread(target=read_errors, daemon=True)
        self.reader.start()
        self.out_reader = threading.Thread(target=lambda: self.out.append(self.proc.stdout.read()),
                                           daemon=True)
        self.out_reader.start()
        listening.wait(30)
        if self.port is None:
            self.proc.kill()
            sys.exit(f"serve did not say where it listens: {self.lines}")

    def pid(self):
        """The program's own pid (/usr/bin/time is its parent)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        for _ in range(200):
            text = children.read_text().split() if children.exists() else []
            if text:
                return int(text[0])
            time.sleep(0.01)
        raise RuntimeError("serve has no process")

    def progress(self):
        """The share of the capture the server has read, or None once it no longer runs."""
        pid = self.pid_cache = getattr(self, "pid_cache", None) or self.pid()
        size = self.path.stat().st_size
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == str(self.path.resolve()):
                        info = Path(f"/proc/{pid}/fdinfo/{fd}").read_text()
                        return int(re.search(r"pos:\s*(\d+)", info).group(1)) / size
                except (FileNotFoundError, ProcessLookupError):
                    continue
        except (FileNotFoundError, ProcessLookupError):
            return None
        return 0.0

    def wait_progress(self, share):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = self.progress()
            if done is None or self.proc.poll() is not None:
                sys.exit(f"serve ended before {share:.0%} of the run: {self.lines}")
            if done >= share:
                return done
            time.sleep(0.002)
        sys.exit(f"serve did not reach {share:.0%} of the run in 60 s")

    def finish(self, timeout=BOUND_S):
        """The report and the exit status; both pipes are read by threads of their own, so
        that no line of standard error is missed."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            check(False, f"serve did not end within {timeout} s")
        self.reader.join(10)
        self.out_reader.join(10)
        return b"".join(self.out), self.proc.returncode

    def peak_rss_kib(self):
        return int(self.rss_file.read_text().split()[-1])

    def warnings(self):
        return [line for line in self.lines if "warning:" in line]


def consumer(port, env=None, name="c"):
    err = open(WORK / f"consume-{SCENARIO}-{name}.err", "w+b")
    proc = subprocess.Popen([BINARY, "consume", "--connect", f"127.0.0.1:{port}", "-c", "1"],
                            stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
                            env={**os.environ, "PA_STREAM_TEST_HOOKS": PACING, **(env or {})})
    proc.err = err
    return proc


def error_text(proc):
    proc.err.seek(0)
    return proc.err.read().decode(errors="replace")


def wait_all(procs, timeout=BOUND_S):
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            check(False, f"consume {proc.pid} did not end within {timeout} s")


def run_with_consumers(path, consumers=CONSUMERS, server_env=None):
    server = Server(path, env=server_env)
    clients = [consumer(server.port, name=str(i)) for i in range(consumers)]
    return server, clients


def expect_exact_report(server, clients, want, what, killed=()):
    out, status = server.finish()
    check(status == 0, f"{what}: serve exited {status}: {server.lines[-5:]}")
    check(out == want, f"{what}: the report differs from -c 0's ({len(out)} bytes against "
                       f"{len(want)})")
    wait_all(clients)
    for proc in clients:
        if proc not in killed:
            check(proc.returncode == 0,
                  f"{what}: a surviving consume exited {proc.returncode}: {error_text(proc)}; "
                  f"the server's warnings: {server.warnings()}")
    return out


def scenario_one_consumer_killed(path, want):
    for share in (0.10, 0.50, 0.90):
        server, clients = run_with_consumers(path)
        at = server.wait_progress(share)
        clients[0].send_signal(signal.SIGKILL)
        expect_exact_report(server, clients, want, f"one consumer killed at {at:.0%}",
                            killed=clients[:1])
        check(any("lost" in line for line in server.warnings()),
              f"killed at {at:.0%}: no warning names the lost connection: {server.lines}")
        # The closing line tells the rescued run from a clean one.
        check(any(re.search(r"warning: stream run rescued: 3 connections for 3 lanes, "
                            r"1 connection lost \(0 stalled\), 1 lane moved, \d+ batch", line)
                  for line in server.lines),
              f"killed at {at:.0%}: no closing line of a rescued run: {server.lines[-3:]}")
        print(f"one consumer killed at {at:.1%}: exact report, warnings:",
              len(server.warnings()), flush=True)


def scenario_two_consumers_killed(path, want):
    server, clients = run_with_consumers(path)
    at = server.wait_progress(0.5)
    for proc in clients[:2]:
        proc.send_signal(signal.SIGKILL)
    expect_exact_report(server, clients, want, f"two consumers killed at {at:.0%}",
                        killed=clients[:2])
    print(f"two consumers killed at {at:.1%}: exact report", flush=True)


def scenario_every_consumer_killed(path, want):
    server, clients = run_with_consumers(path)
    at = server.wait_progress(0.5)
    killed_at = time.monotonic()
    for proc in clients:
        proc.send_signal(signal.SIGKILL)
    out, status = server.finish()
    took = time.monotonic() - killed_at
    wait_all(clients)
    errors = [line for line in server.lines if "error:" in line]
    check(status == 1, f"every consumer killed: serve exited {status}, not 1")
    check(out == b"", f"every consumer killed: serve printed {len(out)} bytes of report")
    check(len(errors) == 1, f"every consumer killed: {len(errors)} error lines: {errors}")
    check(took < BOUND_S, f"every consumer killed: serve took {took:.1f} s to fail")
    print(f"every consumer killed at {at:.1%}: status {status} after {took:.2f} s, "
          f"{errors}", flush=True)


def scenario_server_killed(path, want):
    server, clients = run_with_consumers(path)
    at = server.wait_progress(0.5)
    killed_at = time.monotonic()
    os.kill(server.pid(), signal.SIGKILL)
    server.finish()
    wait_all(clients)
    took = time.monotonic() - killed_at
    for proc in clients:
        text = error_text(proc)
        check(proc.returncode not in (0, None),
              f"server killed: a consume exited {proc.returncode}")
        check("packet-analysis: error:" in text,
              f"server killed: a consume gave no clear error: {text!r}")
    check(took < BOUND_S, f"server killed: the consumers took {took:.1f} s to end")
    print(f"server killed at {at:.1%}: consumers ended after {took:.2f} s with",
          sorted({error_text(p).strip().splitlines()[-1] for p in clients}), flush=True)


def scenario_consumer_stopped_past_the_stall_limit(path, want):
    stall_ms = 3000
    server, clients = run_with_consumers(
        path, server_env={"PA_STREAM_TEST_HOOKS": f"stall_ms={stall_ms}"})
    at = server.wait_progress(0.3)
    clients[0].send_signal(signal.SIGSTOP)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any("lost" in l for l in server.warnings()):
        time.sleep(0.05)
    stopped_for = time.monotonic()
    check(any("no acknowledgement" in l for l in server.warnings()),
          f"stopped consumer: the server did not give its work away: {server.lines}")
    clients[0].send_signal(signal.SIGCONT)
    resumed_at = time.monotonic()
    expect_exact_report(server, clients, want, f"consumer stopped at {at:.0%}",
                        killed=clients[:1])
    # The others sat idle while the run waited on the stopped one: none of them may be taken
    # for stalled when given work again.
    lost = [l for l in server.warnings() if re.search(r"connection \d+ lost", l)]
    check(len(lost) == 1, f"stopped consumer: {len(lost)} connections lost, not 1: {lost}")
    wait_all(clients[:1])
    took = time.monotonic() - resumed_at
    text = error_text(clients[0])
    check(clients[0].returncode != 0, "the resumed consumer exited 0 after losing its lanes")
    check("packet-analysis: error:" in text, f"the resumed consumer was not told: {text!r}")
    check(took < BOUND_S, f"the resumed consumer took {took:.1f} s to end")
    print(f"consumer stopped at {at:.1%} for {stopped_for - resumed_at + took:.1f} s: exact "
          f"report; the resumed one: status {clients[0].returncode}, {text.strip()!r}",
          flush=True)


def scenario_spare_and_reconnect_take_over(path, want):
    """A spare that came after the start takes the first lost lane; a consumer that connects
    again after that loss takes the next one (a lost lane goes to the connection holding the
    fewest)."""
    server, clients = run_with_consumers(path)
    server.wait_progress(0.2)
    spare = consumer(server.port, name="spare")
    server.wait_progress(0.4)
    clients[0].send_signal(signal.SIGKILL)
    server.wait_progress(0.45)
    again = consumer(server.port, name="again")
    server.wait_progress(0.6)
    clients[1].send_signal(signal.SIGKILL)
    expect_exact_report(server, [*clients, spare, again], want, "spare and reconnect",
                        killed=clients[:2])
    lanes_to = {int(m.group(1)) for l in server.lines
                if (m := re.search(r"went to connection (\d+)", l))}
    check(lanes_to == {CONSUMERS, CONSUMERS + 1},
          f"the lost lanes went to {lanes_to}, not to the spare ({CONSUMERS}) and the "
          f"reconnected consumer ({CONSUMERS + 1}): {server.lines}")
    print("spare and reconnect: exact report; lanes went to connections", sorted(lanes_to),
          flush=True)


def scenario_second_server_refused(path, want):
    first = Server(path)
    second = subprocess.run([BINARY, "serve", "-p", str(first.port), "-c", "1", "-f", str(path)],
                            capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    text = second.stderr.decode(errors="replace")
    check(second.returncode == 1, f"a second server on port {first.port} exited "
                                  f"{second.returncode}")
    check("-p 0" in text, f"the second server's error does not suggest -p 0: {text!r}")
    clients = [consumer(first.port, name=str(i)) for i in range(CONSUMERS)]
    expect_exact_report(first, clients, want, "the first server after a refused second")
    print("second server refused:", text.strip(), flush=True)


def read_frame(sock):
    header = b""
    while len(header) < 4:
        chunk = sock.recv(4 - len(header))
        if not chunk:
            return None
        header += chunk
    (length,) = struct.unpack(">I", header)
    body = b""
    while len(body) < length:
        chunk = sock.recv(min(65536, length - len(body)))
        if not chunk:
            return None
        body += chunk
    return body


PROTOCOL = 4


def hello_reply(version):
    """A consumer's hello reply: in this protocol a nonce and a MAC follow the version (zeros:
    the runs here have no shared secret, so the MAC is not checked); of another version only
    the version is sent."""
    body = bytes([2]) + b"PAST" + struct.pack(">H", version)
    if version == PROTOCOL:
        body += bytes(16) + bytes(32)
    return struct.pack(">I", len(body)) + body


def slow_consumer(port, stop):
    """Answers the hello as a consumer does, then reads 64 bytes every 50 ms and never
    acknowledges anything."""
    slow = socket.create_connection(("127.0.0.1", port), timeout=10)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    read_frame(slow)
    slow.sendall(hello_reply(PROTOCOL))

    def read_slowly():
        while not stop.is_set():
            try:
                if not slow.recv(64):
                    return
            except OSError:
                return
            time.sleep(0.05)

    threading.Thread(target=read_slowly, daemon=True).start()
    return slow


def hostile_clients(port):
    """Each hostile kind once, and 100 connect/close in a row; returns the sockets, kept open
    until the run ends."""
    held = []
    rng = random.Random(15)

    def connect():
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        held.append(s)
        return s

    garbage = connect()
    garbage.sendall(bytes(rng.randrange(256) for _ in range(4096)))
    connect()  # connects and says nothing
    wrong = connect()
    read_frame(wrong)
    wrong.sendall(hello_reply(99))
    for _ in range(100):
        socket.create_connection(("127.0.0.1", port), timeout=10).close()
    return held


def scenario_hostile_clients(path, want):
    stall = {"PA_STREAM_TEST_HOOKS": "stall_ms=3000"}
    calm = Server(path, env=stall)
    clients = [consumer(calm.port, name=f"calm{i}") for i in range(CONSUMERS)]
    expect_exact_report(calm, clients, want, "the run without hostile clients")
    check(any("info: stream run clean: 3 connections for 3 lanes" in line for line in calm.lines),
          f"the run without hostile clients: no closing line of a clean run: {calm.lines[-3:]}")
    calm_rss = calm.peak_rss_kib()

    # The slow reader is one of the run's connections from the start, so it is given lanes;
    # the others arrive while the run goes on.
    server = Server(path, connections=CONSUMERS + 1, env=stall)
    stop = threading.Event()
    held = [slow_consumer(server.port, stop)]
    clients = [consumer(server.port, name=str(i)) for i in range(CONSUMERS)]
    server.wait_progress(0.2)
    held += hostile_clients(server.port)
    started = time.monotonic()
    expect_exact_report(server, clients, want, "a run with hostile clients")
    stop.set()
    for s in held:
        s.close()
    took = time.monotonic() - started
    warnings = server.warnings()
    for kind, pattern in {"random bytes": r"exceeds the limit|does not decode|magic",
                          "a wrong version": r"version 99",
                          "the slow reader": r"lost: no acknowledgement",
                          "connect and close": r"without a hello reply"}.items():
        check(any(re.search(pattern, w) for w in warnings),
              f"hostile clients: no warning for {kind} ({pattern}): {warnings[:20]}")
    check(len(warnings) < 500, f"hostile clients: {len(warnings)} warning lines")
    check(any(re.search(r"stream run rescued: .* \d+ peers dropped at the hello", w)
              for w in warnings),
          f"hostile clients: the closing line does not count the dropped peers: {warnings[-3:]}")
    rss = server.peak_rss_kib()
    check(rss < calm_rss + 16 * 1024,
          f"hostile clients: peak RSS {rss} KiB against {calm_rss} KiB without them")
    print(f"hostile clients: exact report {took:.1f} s after they came, {len(warnings)} "
          f"warnings, peak RSS {rss / 1024:.1f} MiB against {calm_rss / 1024:.1f} MiB without "
          "them", flush=True)
    for w in sorted(set(re.sub(r"127\.0\.0\.1:\d+", "PEER", w) for w in warnings)):
        print("  ", w)


SCENARIOS = {
    "one_consumer_killed": scenario_one_consumer_killed,
    "two_consumers_killed": scenario_two_consumers_killed,
    "every_consumer_killed": scenario_every_consumer_killed,
    "server_killed": scenario_server_killed,
    "consumer_stopped": scenario_consumer_stopped_past_the_stall_limit,
    "spare_and_reconnect": scenario_spare_and_reconnect_take_over,
    "second_server_refused": scenario_second_server_refused,
    "hostile_clients": scenario_hostile_clients,
}


def main():
    path, want = capture()
    if SCENARIO == "capture":
        print(f"{path}: {path.stat().st_size} bytes, -c 0 report of {len(want)} bytes")
        return
    SCENARIOS[SCENARIO](path, want)
    if FAILURES:
        sys.exit(f"{len(FAILURES)} failed checks")
    print(f"{SCENARIO}: every check passed")


if __name__ == "__main__":
    main()
