#!/usr/bin/env python3
"""The stream mode across processes: `serve` plus `consume` processes on loopback give the -c 0
report; SIGINT and SIGTERM end a run with exit status 130 and no report; a port in use is a
clear error that suggests -p 0.

Usage: stream_processes_test.py PACKET_ANALYSIS CORPUS_DIR"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

BINARY, CORPUS = sys.argv[1], sys.argv[2]
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message)


def direct(args):
    return subprocess.run([BINARY, "-c", "0", *args], capture_output=True, timeout=60).stdout


def start_server(args, connections):
    """Starts `serve` on a free port and returns the process and the port it listens on."""
    proc = subprocess.Popen([BINARY, "serve", "-p", "0", "-c", str(connections), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = proc.stderr.readline().decode()
    found = re.search(r"serving on 127\.0\.0\.1:(\d+)", line)
    if not found:
        proc.kill()
        sys.exit(f"serve did not say where it listens: {line!r}")
    return proc, int(found.group(1))


def consume(port, connections):
    return subprocess.Popen([BINARY, "consume", "--connect", f"127.0.0.1:{port}", "-c",
                             str(connections)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def served_report(args, consumers):
    server, port = start_server(args, sum(consumers))
    clients = [consume(port, n) for n in consumers]
    out, err = server.communicate(timeout=60)
    for client in clients:
        _, client_err = client.communicate(timeout=60)
        check(client.returncode == 0, f"consume exited {client.returncode}: {client_err!r}")
    check(server.returncode == 0, f"serve exited {server.returncode}: {err!r}")
    return out


def test_serve_and_two_consumers_give_the_direct_report():
    for name in ["chrissanders__http_google.pcapng", "pcpp__example2.pcap",
                 "dnscap__dnso1tcp.pcap"]:
        args = ["-f", os.path.join(CORPUS, "real", name)]
        check(served_report(args, [1, 1]) == direct(args), f"serve + 2 consume differs on {name}")
    args = ["--format", "json", "-f", os.path.join(CORPUS, "real", "chrissanders__http_espn.pcapng"),
            os.path.join(CORPUS, "real", "chrissanders__http_google.pcapng"),
            "--watch-host", "www.espn.com"]
    served = json.loads(served_report(args, [2, 1]))
    # The run's health is the stream run's own; the rest is -c 0's report.
    health = served.pop("stream", None)
    check(health is not None and health["lanes"] == 3 and health["connections"] == 3
          and health["connections_lost"] == 0 and health["batches_resent"] == 0,
          f"serve json: stream section {health}")
    check(served == json.loads(direct(args)), "serve + consume -c 2 + consume -c 1 json")


def test_consumers_learn_the_question_types_from_the_server():
    # `consume` is given no report option: --qtype reaches it in the hello, and the grouping
    # and --top are applied by the server to the merged table.
    capture = os.path.join(CORPUS, "real", "pcpp__DnsPackets.pcap")
    for layout in (["--qtype", "AAAA"], ["--qtype", "any", "--group-by", "registrable-domain",
                                         "--top", "5", "--format", "csv"],
                   ["--qtype", "A,HTTPS,AAAA", "--format", "html", "--group-by", "tld"]):
        args = ["-f", capture, *layout]
        served = served_report(args, [1, 2])
        check(served == direct(args), f"serve + consume differs with {' '.join(layout)}")
    check(direct(["-f", capture, "--qtype", "AAAA"]) != direct(["-f", capture]),
          "--qtype AAAA gives the A report: the check above proves nothing")


def test_a_signal_ends_the_run_without_a_report():
    for sig in [signal.SIGINT, signal.SIGTERM]:
        server, port = start_server(["-f", os.path.join(CORPUS, "real", "pcpp__example2.pcap")], 2)
        client = consume(port, 1)  # one of the two awaited: the server waits
        time.sleep(0.3)
        server.send_signal(sig)
        out, err = server.communicate(timeout=30)
        client.communicate(timeout=30)
        check(server.returncode == 130, f"serve exited {server.returncode} on {sig.name}")
        check(out == b"", f"serve wrote a report after {sig.name}: {out[:80]!r}")
        check(b"interrupted" in err and b"no report written" in err,
              f"no warning after {sig.name}: {err!r}")
        check(client.returncode == 1, f"consume exited {client.returncode} after the server died")


def test_a_port_in_use_suggests_a_free_one():
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    proc = subprocess.run([BINARY, "-c", "2", "-p", str(port), "-f",
                           os.path.join(CORPUS, "real", "chrissanders__http_google.pcapng")],
                          capture_output=True, timeout=30)
    taken.close()
    check(proc.returncode == 1, f"port in use: exit {proc.returncode}")
    check(b"in use; use -p 0" in proc.stderr, f"port in use: {proc.stderr!r}")
    check(proc.stdout == b"", "port in use: a report was written")


def test_consume_without_a_server_fails_clearly():
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    proc = subprocess.run([BINARY, "consume", "--connect", f"127.0.0.1:{port}", "-c", "1"],
                          capture_output=True, timeout=30)
    check(proc.returncode == 1, f"consume without server: exit {proc.returncode}")
    check(b"cannot connect" in proc.stderr, f"consume without server: {proc.stderr!r}")


for test in [test_serve_and_two_consumers_give_the_direct_report,
             test_consumers_learn_the_question_types_from_the_server,
             test_a_signal_ends_the_run_without_a_report, test_a_port_in_use_suggests_a_free_one,
             test_consume_without_a_server_fails_clearly]:
    test()
    print("ran", test.__name__)
sys.exit(1 if FAILURES else 0)
