#!/usr/bin/env python3
"""Live capture on the loopback interface: known DNS and TCP traffic in, the exact report out.

Usage: live_capture_test.py PACKET_ANALYSIS

It needs the privilege to capture (root, or CAP_NET_RAW and CAP_NET_ADMIN). Without it the
test fails and says so: it never passes without having captured. Every address is a loopback
one; every wait and loop is bounded, and every process it starts is stopped by it.
"""

import csv
import io
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

TOOL = sys.argv[1] if len(sys.argv) > 1 else "packet-analysis"
WATCHED = "watched.example"
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL: " + message, flush=True)
    return condition


# ---------------------------------------------------------------- DNS messages (RFC 1035 4.1)

def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_query(ident, name, qtype):
    header = struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0)  # RD set, QR=0, OPCODE=0
    return header + encode_name(name) + struct.pack("!HH", qtype, 1)


def dns_response(ident, question, answers):
    """answers: (owner, type, rdata bytes) in order; class IN, TTL 60."""
    header = struct.pack("!HHHHHH", ident, 0x8180, 1, len(answers), 0, 0)  # QR=1, RD, RA
    body = encode_name(question) + struct.pack("!HH", 1, 1)
    for owner, rtype, rdata in answers:
        body += encode_name(owner) + struct.pack("!HHIH", rtype, 1, 60, len(rdata)) + rdata
    return header + body


A, CNAME, AAAA = 1, 5, 28


def a_record(owner, address):
    return (owner, A, socket.inet_pton(socket.AF_INET, address))


def aaaa_record(owner, address):
    return (owner, AAAA, socket.inet_pton(socket.AF_INET6, address))


def cname_record(owner, target):
    return (owner, CNAME, encode_name(target))


# ---------------------------------------------------------------- expected text report (SPEC)

def expected_text(ports, counts, watch_port):
    title = f"List of TCP source ports from connections initiated to {WATCHED}:{watch_port}"
    out = title + "\n" + "=" * len(title) + "\n"
    out += "".join(f"{port}\n" for port in sorted(ports)) + "\n"
    title = "Domain name distribution in DNS resolution queries"
    out += title + "\n" + "=" * len(title) + "\n"
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0].encode()))
    name_width = max([20] + [len(name) for name in counts])
    count_width = max([5] + [len(str(count)) for count in counts.values()])
    header = f"{'name':<{name_width}} | {'count':<{count_width}} | percentage of total"
    out += header + "\n" + "-" * len(header) + "\n"
    total = sum(counts.values())
    for name, count in rows:
        out += f"{name:<{name_width}} | {count:<{count_width}} | {100.0 * count / total:.2f}%\n"
    return out + "\n"


# ---------------------------------------------------------------- running the tool

class Capture:
    """One packet-analysis process capturing on lo, started and waited for until it listens."""

    def __init__(self, args, name):
        self.name = name
        self.args = [TOOL, "-i", "lo"] + args
        self.process = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.stdout_lines = []  # (seconds since listening, line)
        self.stderr_lines = []
        self.listening = threading.Event()
        self.started = time.monotonic()
        self.readers = [threading.Thread(target=self._read, args=(self.process.stdout, True)),
                        threading.Thread(target=self._read, args=(self.process.stderr, False))]
        for reader in self.readers:
            reader.start()

    def _read(self, stream, is_stdout):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace")
            if is_stdout:
                self.stdout_lines.append((time.monotonic() - self.started, line))
            else:
                self.stderr_lines.append(line)
                if "info: listening on lo" in line:
                    self.started = time.monotonic()
                    self.listening.set()

    def wait_listening(self, seconds=10):
        if not self.listening.wait(seconds):
            self.process.kill()
            self.finish()
            raise SystemExit(f"FAIL: {self.name}: the capture did not start within {seconds} s: "
                             + "".join(self.stderr_lines))

    def finish(self, seconds=20):
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            check(False, f"{self.name}: did not end by itself within {seconds} s")
        for reader in self.readers:
            reader.join(5)
        return self.process.returncode

    @property
    def stdout(self):
        return "".join(line for _, line in self.stdout_lines)

    @property
    def stderr(self):
        return "".join(self.stderr_lines)


def run(args, timeout=30, **kwargs):
    return subprocess.run([TOOL] + args, capture_output=True, text=True, timeout=timeout, **kwargs)


def free_tcp_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- the known traffic

class Traffic:
    """Sends DNS queries and responses and TCP connections over loopback, recording what the
    report must say."""

    def __init__(self, watch_port):
        self.watch_port = watch_port
        self.counts = {}
        self.ports = []
        self.ident = 0x4000
        self.listeners = []
        for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET, "127.0.0.2"),
                                (socket.AF_INET6, "::1")):
            listener = socket.socket(family, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((address, watch_port))
            listener.listen(16)
            self.listeners.append(listener)
        self.responder = self._bind_responder()

    @staticmethod
    def _bind_responder():
        # The responses come from port 53; any loopback address serves if 127.0.0.1:53 is taken.
        for address in ("127.0.0.1", "127.0.0.53", "127.0.0.99"):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.bind((address, 53))
                return sock
            except OSError:
                sock.close()
        raise SystemExit("FAIL: cannot bind a UDP socket to port 53 on any loopback address "
                         "(the test needs root to send DNS responses from port 53)")

    def close(self):
        for sock in self.listeners + [self.responder]:
            sock.close()

    def next_ident(self):
        self.ident += 1
        return self.ident

    def count(self, name):
        name = name.lower().rstrip(".")
        self.counts[name] = self.counts.get(name, 0) + 1

    def udp_queries(self):
        client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        client.bind(("127.0.0.1", 0))
        queries = [("alpha.example", A), ("alpha.example", A), ("beta.example", A),
                   ("alpha.example", AAAA), ("Gamma.Example.", A), ("beta.example", A),
                   ("alpha.example", A), ("www.example", AAAA)]
        for name, qtype in queries:
            client.sendto(dns_query(self.next_ident(), name, qtype), ("127.0.0.1", 53))
            if qtype == A:
                self.count(name)
            time.sleep(0.005)
        client.close()

    def tcp_queries(self):
        """DNS over TCP to a listener on 127.0.0.1:53, when that port is free."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", 53))
        except OSError as error:
            listener.close()
            print(f"SKIP (part): DNS over TCP: 127.0.0.1:53 is taken ({error}); "
                  "only DNS over UDP is checked", flush=True)
            return
        listener.listen(4)
        client = socket.create_connection(("127.0.0.1", 53), timeout=5)
        server, _ = listener.accept()
        one = dns_query(self.next_ident(), "tcp-one.example", A)
        two = dns_query(self.next_ident(), "alpha.example", A)
        three = dns_query(self.next_ident(), "tcp-three.example", A)
        framed = [struct.pack("!H", len(m)) + m for m in (one, two, three)]
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.sendall(framed[0] + framed[1])  # two messages in one segment
        time.sleep(0.02)
        client.sendall(framed[2][:5])  # one message across two segments
        time.sleep(0.02)
        client.sendall(framed[2][5:])
        for name in ("tcp-one.example", "alpha.example", "tcp-three.example"):
            self.count(name)
        received = b""
        server.settimeout(5)
        while len(received) < sum(len(f) for f in framed):
            chunk = server.recv(4096)
            if not chunk:
                break
            received += chunk
        client.close()
        server.close()
        listener.close()

    def responses(self):
        """Teaches 127.0.0.1 (directly), 127.0.0.2 (through a CNAME) and ::1 (AAAA); not
        127.0.0.3, which answers for another name."""
        client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        client.bind(("127.0.0.1", 0))
        target = client.getsockname()
        answers = [
            dns_response(self.next_ident(), WATCHED, [a_record(WATCHED, "127.0.0.1")]),
            dns_response(self.next_ident(), WATCHED,
                         [cname_record(WATCHED, "edge.example"),
                          a_record("edge.example", "127.0.0.2")]),
            dns_response(self.next_ident(), WATCHED, [aaaa_record(WATCHED, "::1")]),
            dns_response(self.next_ident(), "other.example",
                         [a_record("other.example", "127.0.0.3")]),
        ]
        for message in answers:
            self.responder.sendto(message, target)
            time.sleep(0.005)
        client.close()

    def connections(self):
        """Connections to the watched port: those to learned addresses count."""
        for family, address, counts in ((socket.AF_INET, "127.0.0.1", True),
                                        (socket.AF_INET, "127.0.0.1", True),
                                        (socket.AF_INET, "127.0.0.2", True),
                                        (socket.AF_INET6, "::1", True),
                                        (socket.AF_INET, "127.0.0.3", False)):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(5)
            try:
                sock.connect((address, self.watch_port))
            except OSError:
                pass  # 127.0.0.3 has no listener: its SYN is still on the wire
            port = sock.getsockname()[1]
            sock.close()
            if counts:
                self.ports.append(port)
            time.sleep(0.005)
        for listener in self.listeners:
            listener.settimeout(0.2)
            for _ in range(8):
                try:
                    listener.accept()[0].close()
                except OSError:
                    break

    def send_all(self):
        self.udp_queries()
        self.tcp_queries()
        self.responses()
        self.connections()


def analysis_args(watch_port):
    return ["--watch-host", WATCHED, "--watch-port", str(watch_port)]


def capture_filter(watch_port):
    return ["port", "53", "or", "tcp", "port", str(watch_port)]


# ---------------------------------------------------------------- the checks

def check_privilege():
    result = run(["-i", "lo", "--duration", "0.2", "-q", "udp", "port", "9"])
    if result.returncode != 0:
        print("FAIL: this machine cannot capture on lo, so nothing was tested: "
              + result.stderr.strip() + "\nRun the test as root, or give the program "
              "CAP_NET_RAW and CAP_NET_ADMIN.", flush=True)
        sys.exit(1)


def test_known_traffic(workdir):
    watch_port = free_tcp_port()
    copy = os.path.join(workdir, "live.pcapng")
    common = analysis_args(watch_port)
    # Three captures of the same packets at once: in-process (ended by SIGINT, with -w), the
    # stream mode (-c 3, ended by --duration) and a JSON report.
    direct = Capture(common + ["-c", "0", "-w", copy] + capture_filter(watch_port), "direct")
    streamed = Capture(common + ["-c", "3", "-p", "0", "--duration", "6"]
                       + capture_filter(watch_port), "stream mode")
    as_json = Capture(common + ["--format", "json", "--duration", "6", "--filter",
                                " ".join(capture_filter(watch_port))], "json")
    for capture in (direct, streamed, as_json):
        capture.wait_listening()
    traffic = Traffic(watch_port)
    try:
        traffic.send_all()
    finally:
        traffic.close()
    time.sleep(0.5)
    direct.process.send_signal(signal.SIGINT)
    expected = expected_text(traffic.ports, traffic.counts, watch_port)

    rc = direct.finish()
    check(rc == 0, f"direct: exit status {rc} after SIGINT, expected 0: {direct.stderr}")
    check(direct.stdout == expected,
          f"direct: report differs.\n--- expected\n{expected}--- got\n{direct.stdout}")
    check(re.search(r"info: lo: \d+ packets captured, \d+ received by filter, 0 dropped by "
                    r"kernel, 0 dropped by interface", direct.stderr) is not None,
          f"direct: no kernel counts on stderr: {direct.stderr}")

    rc = streamed.finish()
    check(rc == 0, f"stream mode: exit status {rc}: {streamed.stderr}")
    check(streamed.stdout == expected,
          f"stream mode: report differs.\n--- expected\n{expected}--- got\n{streamed.stdout}")

    replay = run(common + ["-c", "0", "-f", copy])
    check(replay.returncode == 0, f"replay of -w: exit status {replay.returncode}: {replay.stderr}")
    check(replay.stdout == direct.stdout,
          f"replay of -w differs from the live report:\n{replay.stdout}")

    rc = as_json.finish()
    check(rc == 0, f"json: exit status {rc}: {as_json.stderr}")
    try:
        report = json.loads(as_json.stdout)
    except ValueError as error:
        check(False, f"json: not one JSON object ({error}): {as_json.stdout}")
        return
    names = {row["name"]: row["count"] for row in report["queries"]["names"]}
    check(names == traffic.counts, f"json: names {names}, expected {traffic.counts}")
    check(report["source_ports"] == sorted(traffic.ports),
          f"json: source ports {report['source_ports']}, expected {sorted(traffic.ports)}")
    learned = [entry["address"] for entry in report["watched_addresses"]]
    check(learned == ["127.0.0.1", "127.0.0.2", "::1"], f"json: learned addresses {learned}")
    live = report.get("live", {})
    check(live.get("interface") == "lo" and live.get("final") is True,
          f"json: live section {live}")
    kernel = live.get("kernel") or {}
    check(kernel.get("dropped") == 0 and kernel.get("received", 0) >= report["packets"]["read"],
          f"json: kernel counts {kernel} against {report['packets']['read']} packets read")
    replay_json = run(common + ["-c", "0", "--format", "json", "-f", copy])
    if check(replay_json.returncode == 0, f"json replay: {replay_json.stderr}"):
        replayed = json.loads(replay_json.stdout)
        for key in ("packets", "dns", "source_ports", "queries"):
            check(replayed[key] == report[key],
                  f"json: '{key}' of the live run {report[key]} differs from the replay of the "
                  f"in-process run's -w file {replayed[key]} (both captured the same packets)")


def test_packet_limit():
    port = free_tcp_port()
    capture = Capture(["-c", "0", "--packets", "3", "--format", "json", "udp", "port", str(port)],
                      "--packets")
    capture.wait_listening()
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for index in range(5):
        sender.sendto(b"x", ("127.0.0.1", port))
        time.sleep(0.05)
    sender.close()
    rc = capture.finish(10)
    check(rc == 0, f"--packets: exit status {rc}: {capture.stderr}")
    try:
        check(json.loads(capture.stdout)["packets"]["read"] == 3,
              f"--packets 3: {capture.stdout}")
    except ValueError:
        check(False, f"--packets: not JSON: {capture.stdout}")


def send_queries_until(stop_at, names):
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    index = 0
    while time.monotonic() < stop_at:
        sender.sendto(dns_query(index, names[index % len(names)], A), ("127.0.0.1", 53))
        index += 1
        time.sleep(0.1)
    sender.close()


def test_interval_reports():
    # JSON: one object per line, each at its interval, cumulative; the last one final. The
    # same in-process and through the stream mode, both capturing the same queries at once.
    captures = [Capture(mode + ["--format", "json", "--interval", "1", "--duration", "3.5",
                                "udp", "dst", "port", "53"], f"--interval json {' '.join(mode)}")
                for mode in (["-c", "0"], ["-c", "3", "-p", "0"])]
    for capture in captures:
        capture.wait_listening()
    send_queries_until(time.monotonic() + 3.0, ["interval.example"])
    for capture in captures:
        rc = capture.finish(10)
        name = capture.name
        check(rc == 0, f"{name}: exit status {rc}: {capture.stderr}")
        lines = capture.stdout_lines
        check(len(lines) == 4, f"{name} --duration 3.5: {len(lines)} lines, expected 3 "
                               f"interval reports and the final one: {capture.stdout}")
        previous = -1
        for index, (at, line) in enumerate(lines):
            try:
                report = json.loads(line)
            except ValueError:
                check(False, f"{name}: line {index + 1} is not one JSON object: {line!r}")
                continue
            final = index == len(lines) - 1
            due = 3.5 if final else index + 1.0
            check(abs(at - due) < 0.4,
                  f"{name}: report {index + 1} came at {at:.2f} s, expected {due:.1f} s (±0.4)")
            check(report["live"]["final"] is final, f"{name}: report {index + 1} final flag")
            read = report["packets"]["read"]
            check(read >= previous and read > 0, f"{name}: reports are cumulative: {read} "
                                                 f"after {previous}")
            # Every query captured so far is counted in the report, none later.
            counted = sum(entry["count"] for entry in report["queries"]["names"]
                          if entry["name"] == "interval.example")
            check(counted == read, f"{name}: report {index + 1} counts {counted} queries of "
                                   f"{read} packets read")
            previous = read

    # Text: each interval report headed by its time span.
    capture = Capture(["-c", "0", "--interval", "1", "--duration", "1.6", "udp", "dst", "port",
                       "53"], "--interval text")
    capture.wait_listening()
    send_queries_until(time.monotonic() + 1.2, ["text-interval.example"])
    capture.finish(10)
    text = capture.stdout
    heading = re.match(r"Capture on lo from (\S+) to (\S+): (\d+) packets?\n(=+)\n", text)
    if check(heading is not None, f"--interval text: no heading: {text!r}"):
        check(len(heading.group(4)) == len(heading.group(0).split("\n")[0]),
              "--interval text: the heading's rule has its length")
        check(text.count("List of TCP source ports") == 2,
              f"--interval text: one interval report and the final one expected: {text}")


def csv_tables(text):
    """The CSV reports in `text` (each starts with its header row), input rows left out."""
    tables = []
    for row in csv.reader(io.StringIO(text, newline="")):
        if row and row[0] == "section":
            tables.append([])
        elif row and row[0] != "input" and tables:
            tables[-1].append(row)
    return tables


def test_interval_reports_of_the_report_options(workdir):
    # --qtype, --group-by and --top in live --interval reports: -c 0 and -c 3 capture the same
    # queries at once; the final report of each equals -c 0's report of its own -w file.
    layout = ["--qtype", "A,AAAA", "--group-by", "registrable-domain", "--top", "2",
              "--format", "csv"]
    captures = []
    for mode in (["-c", "0"], ["-c", "3", "-p", "0"]):
        copy = os.path.join(workdir, f"options-{mode[1]}.pcap")
        captures.append((Capture(mode + layout + ["-w", copy, "--interval", "1", "--duration",
                                                  "2.5", "udp", "dst", "port", "53"],
                                 f"--interval {' '.join(layout)} {' '.join(mode)}"), copy))
    for capture, _ in captures:
        capture.wait_listening()
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    names = ["www.example.co.uk", "mail.example.co.uk", "a.example.org", "x.y.example.co.uk",
             "b.c.example.net"]
    stop_at = time.monotonic() + 2.0
    index = 0
    while time.monotonic() < stop_at:
        sender.sendto(dns_query(index, names[index % 5], A if index % 3 else AAAA),
                      ("127.0.0.1", 53))
        index += 1
        time.sleep(0.05)
    sender.close()
    for capture, copy in captures:
        rc = capture.finish(10)
        check(rc == 0, f"{capture.name}: exit status {rc}: {capture.stderr}")
        tables = csv_tables(capture.stdout)
        check(len(tables) == 3, f"{capture.name}: {len(tables)} reports, expected 2 interval "
                                f"reports and the final one")
        replay = run(["-c", "0", "-f", copy] + layout)
        check(replay.returncode == 0, f"{capture.name}: replay: {replay.stderr}")
        replayed = csv_tables(replay.stdout)
        check(bool(tables) and replayed == tables[-1:],
              f"{capture.name}: the final report differs from the replay of -w:\n"
              f"{capture.stdout}\n---\n{replay.stdout}")
        rows = [row for row in (tables[-1] if tables else []) if row[0] == "name"]
        check([row[1:3] for row in rows] == [["example.co.uk", "A"], ["example.co.uk", "AAAA"]],
              f"{capture.name}: the top rows are not example.co.uk's A and AAAA: {rows}")


def test_interval_html_time_span():
    # --format html --interval: every page, those written on the way too, gives the time span
    # of the packets read so far (the first to the latest), in-process and in the stream mode.
    captures = [Capture(mode + ["--format", "html", "--interval", "1", "--duration", "2.5",
                                "udp", "dst", "port", "53"], f"--interval html {' '.join(mode)}")
                for mode in (["-c", "0"], ["-c", "3", "-p", "0"])]
    for capture in captures:
        capture.wait_listening()
    send_queries_until(time.monotonic() + 2.2, ["span.example"])
    for capture in captures:
        rc = capture.finish(10)
        check(rc == 0, f"{capture.name}: exit status {rc}: {capture.stderr}")
        pages = [page for page in capture.stdout.split("<?xml version") if page.strip()]
        check(len(pages) == 3, f"{capture.name}: {len(pages)} pages, expected 2 interval "
                               f"reports and the final one")
        for index, page in enumerate(pages):
            span = re.search(r"<th>Time span \(UTC\)</th><td>([^<]*)</td>", page)
            text = span.group(1) if span else None
            check(text is not None and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.* to ", text)
                  is not None, f"{capture.name}: page {index + 1} gives no time span: {text!r}")


def test_sigusr1(mode):
    name = f"SIGUSR1 {' '.join(mode)}"
    capture = Capture(mode + ["udp", "dst", "port", "53"], name)
    capture.wait_listening()
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.sendto(dns_query(1, "usr1.example", A), ("127.0.0.1", 53))
    sender.close()
    time.sleep(0.3)
    sent = time.monotonic() - capture.started
    capture.process.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 2
    while not capture.stdout_lines and time.monotonic() < deadline:
        time.sleep(0.05)
    check(capture.process.poll() is None, f"{name} ended the capture")
    interim = capture.stdout
    if check(bool(capture.stdout_lines), f"{name}: no report within 2 s"):
        check(capture.stdout_lines[0][0] - sent < 1.0, f"{name}: the report came late")
    check(interim.startswith("Capture on lo from ") and "usr1.example" in interim,
          f"{name}: the report lacks its heading or the query: {interim!r}")
    capture.process.send_signal(signal.SIGTERM)
    rc = capture.finish(10)
    check(rc == 0, f"{name}, then SIGTERM: exit status {rc}")
    final = capture.stdout[len(interim):]
    check(final.startswith("List of TCP source ports") and "usr1.example" in final,
          f"{name}, then SIGTERM: the final report, as for a file: {final!r}")


def down_interface():
    """A down interface to capture on: a tun device made for the test, or one already down."""
    made = subprocess.run(["ip", "tuntap", "add", "dev", "pa-live-down", "mode", "tun"],
                          capture_output=True, text=True)
    if made.returncode == 0:
        return "pa-live-down", True
    for name in sorted(os.listdir("/sys/class/net")):
        try:
            with open(f"/sys/class/net/{name}/flags") as flags:
                if int(flags.read(), 16) & 1 == 0:  # IFF_UP clear
                    return name, False
        except OSError:
            continue
    return None, False


def test_errors(workdir):
    def one_error_line(result, what, pattern, status=1):
        lines = result.stderr.splitlines()
        check(result.returncode == status,
              f"{what}: exit status {result.returncode}, expected {status}")
        check(len(lines) == 1 and re.fullmatch(pattern, lines[0]) is not None,
              f"{what}: expected one line matching {pattern!r}, got {result.stderr!r}")
        check(result.stdout == "", f"{what}: no report expected: {result.stdout!r}")

    one_error_line(run(["-i", "pa-nosuch0", "--duration", "1"]), "no such interface",
                   r"packet-analysis: error: pa-nosuch0: no such interface "
                   r"\(-D lists the interfaces\)")
    one_error_line(run(["-i", "lo", "--duration", "1", "--filter", "port x"]), "bad filter",
                   r"packet-analysis: error: capture filter 'port x' does not compile: .+")
    one_error_line(run(["-i", "lo", "--duration", "1", "tcp", "port", "99999"]),
                   "bad filter in trailing words",
                   r"packet-analysis: error: capture filter 'tcp port 99999' does not "
                   r"compile: .+")
    one_error_line(run(["-i", "lo", "-f", "x.pcap"]), "-f with -i",
                   r"packet-analysis: error: -f and -i cannot be used together.*", status=2)

    name, made = down_interface()
    if name is None:
        print("SKIP (part): no down interface and none can be made; the interface-down error "
              "is not checked", flush=True)
    else:
        try:
            one_error_line(run(["-i", name, "--duration", "1"]), "interface down",
                           rf"packet-analysis: error: {re.escape(name)}: the interface is down "
                           rf".*")
        finally:
            if made:
                subprocess.run(["ip", "tuntap", "del", "dev", name, "mode", "tun"],
                               capture_output=True)

    if os.geteuid() == 0:
        # Without privilege: the same capture as an ordinary user names what is missing.
        def drop_privilege():
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
        result = run(["-i", "lo", "--duration", "1"], preexec_fn=drop_privilege, cwd=workdir)
        one_error_line(result, "no permission",
                       r"packet-analysis: error: lo: no permission to capture: the process "
                       r"lacks the capabilit(y|ies) CAP_NET_RAW.*")
    else:
        print("SKIP (part): not root, so the no-permission error is not checked", flush=True)


def main():
    check_privilege()
    with tempfile.TemporaryDirectory() as workdir:
        os.chmod(workdir, 0o755)
        test_known_traffic(workdir)
        test_packet_limit()
        test_interval_reports()
        test_interval_reports_of_the_report_options(workdir)
        test_interval_html_time_span()
        test_sigusr1(["-c", "0"])
        test_sigusr1(["-c", "2", "-p", "0"])
        test_errors(workdir)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", flush=True)
        sys.exit(1)
    print("all live capture checks passed", flush=True)


if __name__ == "__main__":
    main()
