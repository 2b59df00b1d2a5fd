#!/usr/bin/env python3
"""The stream mode across processes: `serve` plus `consume` processes on loopback give the -c 0
report; SIGINT and SIGTERM end a run with exit status 130 and no report; a port in use is a
clear error that suggests -p 0; a shared secret keeps out consumers without it; serve names its
port with -q, in brackets on IPv6, and in --port-file; a consumer facing a silent server gives
up naming the wait; too low an open-file limit is raised or refused at once; the stream mode
draws the progress line on a terminal.

Usage: stream_processes_test.py PACKET_ANALYSIS CORPUS_DIR GENERATOR"""
import json
import os
import pty
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BINARY, CORPUS, GENERATOR = sys.argv[1], sys.argv[2], sys.argv[3]
FAILURES = []
WORK = tempfile.mkdtemp(prefix="stream-processes-")


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message)


def direct(args):
    # One thread: the JSON of -j N says how the work was split, which a served run does not.
    return subprocess.run([BINARY, "-c", "0", "-j", "1", *args], capture_output=True,
                          timeout=60).stdout


def start_server(args, connections, env=None, address=r"127\.0\.0\.1"):
    """Starts `serve` on a free port and returns the process and the port it listens on."""
    proc = subprocess.Popen([BINARY, "serve", "-p", "0", "-c", str(connections), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    line = proc.stderr.readline().decode()
    found = re.search(r"serving on " + address + r":(\d+)", line)
    if not found:
        proc.kill()
        sys.exit(f"serve did not say where it listens: {line!r}")
    return proc, int(found.group(1))


def consume(port, connections, extra=(), env=None, host="127.0.0.1"):
    return subprocess.Popen([BINARY, "consume", "--connect", f"{host}:{port}", "-c",
                             str(connections), *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)


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


def secret_file(name, text):
    path = os.path.join(WORK, name)
    with open(path, "w") as f:
        f.write(text + "\n")
    os.chmod(path, 0o600)
    return path


def test_a_shared_secret_keeps_out_consumers_without_it():
    capture = os.path.join(CORPUS, "real", "pcpp__example2.pcap")
    right = secret_file("right.secret", "k3Yb6Q0cZr9w2mJ8xV1pL5sT7uN4aE0h")
    wrong = secret_file("wrong.secret", "a-different-secret-of-enough-length")
    server, port = start_server(["-f", capture, "--secret-file", right], 1)
    # Without a secret and with another one: refused by the consumer or the server, and the
    # run goes on without them.
    without = consume(port, 1)
    _, without_err = without.communicate(timeout=30)
    check(without.returncode == 1 and b"asks for a shared secret" in without_err,
          f"consume without the secret: exit {without.returncode}: {without_err!r}")
    other = consume(port, 1, ["--secret-file", wrong])
    _, other_err = other.communicate(timeout=30)
    check(other.returncode == 1 and b"another secret" in other_err,
          f"consume with another secret: exit {other.returncode}: {other_err!r}")
    # The environment variable works as well as the file.
    env = dict(os.environ, PA_STREAM_SECRET="k3Yb6Q0cZr9w2mJ8xV1pL5sT7uN4aE0h")
    good = consume(port, 1, env=env)
    out, err = server.communicate(timeout=60)
    _, good_err = good.communicate(timeout=60)
    check(good.returncode == 0, f"consume with the secret: exit {good.returncode}: {good_err!r}")
    check(server.returncode == 0, f"serve with a secret: exit {server.returncode}: {err!r}")
    check(out == direct(["-f", capture]), "serve with a secret: not the -c 0 report")
    check(b"serving without a shared secret" not in err, f"serve with a secret warned: {err!r}")


def test_serve_refuses_an_open_address_without_a_secret():
    capture = os.path.join(CORPUS, "real", "pcpp__example2.pcap")
    proc = subprocess.run([BINARY, "serve", "-p", "0", "-c", "1", "--listen", "0.0.0.0", "-f",
                           capture], capture_output=True, timeout=30)
    check(proc.returncode == 2 and b"--allow-unauthenticated" in proc.stderr,
          f"serve --listen 0.0.0.0 without a secret: exit {proc.returncode}: {proc.stderr!r}")
    short = secret_file("short.secret", "tooshort")
    proc = subprocess.run([BINARY, "serve", "-p", "0", "-c", "1", "--secret-file", short, "-f",
                           capture], capture_output=True, timeout=30)
    check(proc.returncode == 2 and b"at least 16 are needed" in proc.stderr,
          f"serve with a short secret: exit {proc.returncode}: {proc.stderr!r}")


def test_serve_names_its_port_with_q_in_brackets_and_in_a_port_file():
    capture = os.path.join(CORPUS, "real", "pcpp__example2.pcap")
    port_file = os.path.join(WORK, "port")
    server, port = start_server(["-q", "--listen", "::1", "--port-file", port_file, "-f", capture],
                                1, address=r"\[::1\]")
    # The file appears (whole, by a rename) just after the line.
    deadline = time.monotonic() + 10
    while not os.path.exists(port_file) and time.monotonic() < deadline:
        time.sleep(0.05)
    with open(port_file) as f:
        check(f.read() == f"{port}\n", f"--port-file does not hold port {port}")
    client = consume(port, 1, host="[::1]")
    out, err = server.communicate(timeout=60)
    client.communicate(timeout=60)
    check(server.returncode == 0 and out == direct(["-f", capture]),
          f"serve -q on ::1: exit {server.returncode}: {err!r}")


def test_a_consumer_facing_a_silent_server_gives_up_naming_the_wait():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    port = silent.getsockname()[1]
    env = dict(os.environ, PA_STREAM_TEST_HOOKS="handshake_ms=1000")
    started = time.monotonic()
    proc = subprocess.run([BINARY, "consume", "--connect", f"127.0.0.1:{port}", "-c", "2"],
                          capture_output=True, timeout=30, env=env)
    took = time.monotonic() - started
    silent.close()
    check(proc.returncode == 1 and b"no hello from the provider within 1 s" in proc.stderr,
          f"consume facing a silent server: exit {proc.returncode}: {proc.stderr!r}")
    check(took < 10, f"consume facing a silent server took {took:.1f} s")


def limited_files(soft, hard):
    return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_too_low_an_open_file_limit_is_raised_or_refused_at_once():
    capture = os.path.join(CORPUS, "real", "pcpp__example2.pcap")
    started = time.monotonic()
    proc = subprocess.run([BINARY, "-p", "0", "-c", "600", "-f", capture], capture_output=True,
                          timeout=60, preexec_fn=limited_files(256, 256))
    took = time.monotonic() - started
    check(proc.returncode == 1 and b"ulimit -n" in proc.stderr and proc.stdout == b"",
          f"-c 600 under a hard limit of 256: exit {proc.returncode}: {proc.stderr[:300]!r}")
    lines = proc.stderr.count(b"\n")
    check(lines < 5 and took < 10, f"-c 600 under a hard limit of 256: {lines} lines in {took:.1f} s")
    proc = subprocess.run([BINARY, "-p", "0", "-c", "600", "-f", capture], capture_output=True,
                          timeout=120, preexec_fn=limited_files(256, 4096))
    check(proc.returncode == 0 and proc.stdout == direct(["-f", capture]),
          f"-c 600 with a soft limit of 256 and room above: exit {proc.returncode}: "
          f"{proc.stderr[:300]!r}")


def test_the_stream_mode_draws_the_progress_line_on_a_terminal():
    # A capture larger than the batches in flight, and consumers slowed down, so that the
    # reading lasts past the line's first draw (2 s).
    capture = os.path.join(WORK, "progress.pcap")
    subprocess.run([GENERATOR, "-o", capture, "--size", "40M"], check=True, capture_output=True)
    env = dict(os.environ, PA_STREAM_TEST_HOOKS="delay_us=200000")
    primary, secondary = pty.openpty()
    proc = subprocess.Popen([BINARY, "-p", "0", "-c", "2", "-f", capture],
                            stdout=subprocess.DEVNULL, stderr=secondary, env=env)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.communicate(timeout=120)
    os.close(primary)
    check(proc.returncode == 0, f"-c 2 on a terminal: exit {proc.returncode}")
    check(re.search(rb"\r\d+ MB, [\d.]+ M packets, \d+ MB/s", seen) is not None,
          f"-c 2 on a terminal drew no progress line: {seen[:300]!r}")


for test in [test_serve_and_two_consumers_give_the_direct_report,
             test_consumers_learn_the_question_types_from_the_server,
             test_a_signal_ends_the_run_without_a_report, test_a_port_in_use_suggests_a_free_one,
             test_consume_without_a_server_fails_clearly,
             test_a_shared_secret_keeps_out_consumers_without_it,
             test_serve_refuses_an_open_address_without_a_secret,
             test_serve_names_its_port_with_q_in_brackets_and_in_a_port_file,
             test_a_consumer_facing_a_silent_server_gives_up_naming_the_wait,
             test_too_low_an_open_file_limit_is_raised_or_refused_at_once,
             test_the_stream_mode_draws_the_progress_line_on_a_terminal]:
    test()
    print("ran", test.__name__)
shutil.rmtree(WORK, ignore_errors=True)
sys.exit(1 if FAILURES else 0)
