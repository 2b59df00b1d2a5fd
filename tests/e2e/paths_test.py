#!/usr/bin/env python3
"""End-to-end checks that need files set up around the program: where -o writes, what
SIGINT/SIGTERM do to an in-process run, tcpdump's rotation naming, and the warnings about
what is read.

Usage: paths_test.py BINARY CORPUS SAMPLES GROUP, GROUP one of output, interrupt, rotation,
inputs. Prints each failed check and exits 1 if any failed. Every file it makes is in a
fresh temporary folder; it never writes to anything under /dev (a device node is made with
mknod in the temporary folder when running as root).
"""
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
    return condition


def run(binary, args, cwd, stdin=subprocess.DEVNULL, timeout=60):
    return subprocess.run([binary] + args, cwd=cwd, stdin=stdin, capture_output=True,
                          timeout=timeout)


def report_of(binary, capture, cwd):
    proc = run(binary, ["-c", "0", "-q", "-f", capture], cwd)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def output_group(binary, corpus, tmp):
    capture = os.path.join(corpus, "real", "chrissanders__http_google.pcapng")
    expected = report_of(binary, capture, tmp)
    analyze = ["-c", "0", "-q", "-f", capture, "-o"]

    # A regular file keeps its mode (and, as root, its owner) and gets the report.
    path = os.path.join(tmp, "private.txt")
    with open(path, "w") as f:
        f.write("old report\n")
    os.chmod(path, 0o600)
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)
    proc = run(binary, analyze + [path], tmp)
    check(proc.returncode == 0, f"-o regular file: status {proc.returncode} {proc.stderr!r}")
    status = os.stat(path)
    check(stat.S_IMODE(status.st_mode) == 0o600,
          f"-o regular file: mode {oct(stat.S_IMODE(status.st_mode))}, expected 0o600")
    if os.geteuid() == 0:
        check((status.st_uid, status.st_gid) == (65534, 65534),
              f"-o regular file: owner {status.st_uid}:{status.st_gid}, expected 65534:65534")
    check(open(path, "rb").read() == expected, "-o regular file: content is not the report")

    # A symbolic link stays a link; the file it points at is replaced.
    target = os.path.join(tmp, "target.txt")
    with open(target, "w") as f:
        f.write("old\n")
    link = os.path.join(tmp, "link.txt")
    os.symlink("target.txt", link)
    proc = run(binary, analyze + [link], tmp)
    check(proc.returncode == 0, f"-o symlink: status {proc.returncode} {proc.stderr!r}")
    check(os.path.islink(link), "-o symlink: the link was replaced by a file")
    check(open(target, "rb").read() == expected, "-o symlink: the target does not hold the report")

    # A link to a file not there yet makes the file and keeps the link.
    dangling = os.path.join(tmp, "dangling.txt")
    os.symlink("new-target.txt", dangling)
    proc = run(binary, analyze + [dangling], tmp)
    check(proc.returncode == 0 and os.path.islink(dangling) and
          open(os.path.join(tmp, "new-target.txt"), "rb").read() == expected,
          f"-o dangling symlink: status {proc.returncode}, link kept {os.path.islink(dangling)}")

    # A file with two hard links is written in place: both names show the report.
    first = os.path.join(tmp, "first.txt")
    second = os.path.join(tmp, "second.txt")
    with open(first, "w") as f:
        f.write("old\n")
    os.link(first, second)
    proc = run(binary, analyze + [first], tmp)
    check(proc.returncode == 0 and open(second, "rb").read() == expected,
          "-o hard-linked file: the other link does not show the report")

    # A FIFO stays a FIFO; its reader gets the report.
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", fifo], stdout=subprocess.PIPE)
    proc = run(binary, analyze + [fifo], tmp)
    got = reader.communicate(timeout=30)[0]
    check(proc.returncode == 0, f"-o FIFO: status {proc.returncode} {proc.stderr!r}")
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "-o FIFO: the FIFO was replaced by a file")
    check(got == expected, "-o FIFO: the reader did not get the report")

    # A device that fails every write (/dev/full): status 1, the error named, the node kept.
    if os.geteuid() == 0:
        full = os.path.join(tmp, "full")
        os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    else:
        full = "/dev/full"
    proc = run(binary, analyze + [full], tmp)
    check(proc.returncode == 1, f"-o full device: status {proc.returncode}, expected 1")
    check(re.fullmatch(rb"packet-analysis: error: .*full: cannot write the report: No space left "
                       rb"on device\n", proc.stderr) is not None,
          f"-o full device: stderr {proc.stderr!r}")
    check(stat.S_ISCHR(os.lstat(full).st_mode), "-o full device: the node was replaced")
    if os.geteuid() == 0:
        null = os.path.join(tmp, "null")
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        proc = run(binary, analyze + [null], tmp)
        check(proc.returncode == 0 and stat.S_ISCHR(os.lstat(null).st_mode),
              f"-o null device: status {proc.returncode}, still a device "
              f"{stat.S_ISCHR(os.lstat(null).st_mode)}")

    # -o - and a link to /proc/self/fd/1 (what /dev/stdout is): standard output.
    for name, words in (("-o -", ["-"]), ("-o link to /proc/self/fd/1", ["stdout-link"])):
        if words == ["stdout-link"]:
            os.symlink("/proc/self/fd/1", os.path.join(tmp, "stdout-link"))
        proc = run(binary, analyze + words, tmp)
        check(proc.returncode == 0 and proc.stdout == expected,
              f"{name}: status {proc.returncode}, standard output {len(proc.stdout)} bytes")
    check(not os.path.exists(os.path.join(tmp, "-")), "-o -: made a file named -")
    check(os.path.islink(os.path.join(tmp, "stdout-link")), "-o link to stdout: link replaced")

    # -o naming an input, as typed or through a link: a usage error, the input untouched.
    copy = os.path.join(tmp, "input.pcapng")
    shutil.copyfile(capture, copy)
    os.symlink("input.pcapng", os.path.join(tmp, "input-link"))
    original = open(copy, "rb").read()
    for output in (copy, os.path.join(tmp, "input-link")):
        proc = run(binary, ["-c", "0", "-q", "-f", copy, "-o", output], tmp)
        check(proc.returncode == 2, f"-o {output} naming the input: status {proc.returncode}")
        check(b"the report would replace it" in proc.stderr and proc.stdout == b"",
              f"-o naming the input: stderr {proc.stderr!r}")
    check(open(copy, "rb").read() == original, "-o naming the input: the input was changed")


def interrupt_group(binary, corpus, tmp):
    capture = open(os.path.join(corpus, "real", "chrissanders__http_google.pcapng"), "rb").read()
    for number, name in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")):
        folder = tempfile.mkdtemp(dir=tmp)
        report = os.path.join(folder, "report.txt")
        # Standard input stays open after a whole capture: the run waits for more packets,
        # as it does behind `tcpdump -w -`, until the signal comes.
        proc = subprocess.Popen([binary, "-c", "0", "-q", "-f", "-", "-o", report],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=folder)
        proc.stdin.write(capture)
        proc.stdin.flush()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(
                entry.startswith("report.txt.tmp") for entry in os.listdir(folder)):
            time.sleep(0.02)
        time.sleep(0.3)  # the packets are read; the run is blocked on standard input
        proc.send_signal(number)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            check(False, f"-c 0 {name}: still running 10 s after the signal")
        check(proc.returncode == 130, f"-c 0 {name}: status {proc.returncode}, expected 130")
        check(err == f"packet-analysis: warning: interrupted ({name}); no report written\n"
              .encode(), f"-c 0 {name}: stderr {err!r}")
        check(out == b"", f"-c 0 {name}: standard output {out!r}")
        check(os.listdir(folder) == [], f"-c 0 {name}: left {os.listdir(folder)}")


def packets_in(path):
    proc = subprocess.run(["capinfos", "-M", "-c", "-T", "-r", path], capture_output=True,
                          check=True, text=True)
    return int(proc.stdout.split("\t")[-1])


def json_report(binary, args, cwd):
    proc = run(binary, ["-c", "0", "-q", "--format", "json"] + args, cwd)
    return proc, (json.loads(proc.stdout) if proc.returncode == 0 else None)


def rotation_group(binary, samples, tmp):
    for tool in ("tcpdump", "mergecap", "capinfos"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing (scripts/install-deps installs it)")
            sys.exit(1)
    parts = [os.path.join(samples, f"office.pcap{i}") for i in range(1, 5)]
    whole = os.path.join(tmp, "whole.pcap")
    subprocess.run(["mergecap", "-F", "pcap", "-w", whole] + parts, check=True)
    # tcpdump's own rotation: cap.pcap, cap.pcap1, cap.pcap2, ... of 1,000,000 bytes each.
    # As root tcpdump writes as the user tcpdump unless -Z says otherwise.
    keep_user = ["-Z", "root"] if os.geteuid() == 0 else []
    subprocess.run(["tcpdump", "-q", "-r", whole, "-C", "1", "-w", "cap.pcap"] + keep_user,
                   cwd=tmp, check=True, capture_output=True)
    written = sorted((f for f in os.listdir(tmp) if f.startswith("cap.pcap")),
                     key=lambda f: int(f[len("cap.pcap"):] or 0))
    check(len(written) >= 3 and written[:3] == ["cap.pcap", "cap.pcap1", "cap.pcap2"],
          f"tcpdump -C wrote {written}")
    total = packets_in(whole)
    check(sum(packets_in(os.path.join(tmp, f)) == 0 for f in written) == 0, "an empty part")
    check(sum(packets_in(os.path.join(tmp, f)) for f in written) == total,
          "the parts do not add up to the whole (capinfos)")

    proc = run(binary, ["-c", "0", "-f", "cap.pcap"], tmp)
    check(proc.returncode == 0 and proc.stdout == report_of(binary, whole, tmp),
          f"-f cap.pcap: status {proc.returncode}, report differs from the whole capture's")
    last = written[-1]
    check(re.fullmatch(rf"packet-analysis: info: cap\.pcap: read with its rotated parts "
                       rf"cap\.pcap1 \.\. {last} \({len(written)} files, .*--no-rotation.*\)\n",
                       proc.stderr.decode()) is not None, f"-f cap.pcap: stderr {proc.stderr!r}")
    proc, report = json_report(binary, ["-f", "cap.pcap"], tmp)
    check(report is not None and report["packets"]["read"] == total,
          f"-f cap.pcap: packets read {report and report['packets']['read']}, capinfos "
          f"counts {total}")

    # --no-rotation: the named file alone.
    proc, report = json_report(binary, ["--no-rotation", "-f", "cap.pcap"], tmp)
    check(report is not None and
          report["packets"]["read"] == packets_in(os.path.join(tmp, "cap.pcap")) and
          proc.stderr == b"", f"--no-rotation: {proc.stderr!r}")

    # Every part named (a shell's cap.pcap*): each read once, nothing said.
    proc, report = json_report(binary, ["-f"] + written, tmp)
    check(report is not None and report["packets"]["read"] == total and proc.stderr == b"",
          f"-f cap.pcap*: {proc.stderr!r}")

    # A gap in the numbers is a warning, and the rest is read.
    os.remove(os.path.join(tmp, "cap.pcap2"))
    proc, report = json_report(binary, ["-f", "cap.pcap"], tmp)
    missing = packets_in(whole) - sum(
        packets_in(os.path.join(tmp, f)) for f in written if f != "cap.pcap2")
    check(report is not None and report["packets"]["read"] == total - missing,
          "gap: the remaining parts are not all read")
    check(b"packet-analysis: warning: cap.pcap: rotated part 2 is missing between cap.pcap and "
          + last.encode() in proc.stderr, f"gap: stderr {proc.stderr!r}")


def inputs_group(binary, corpus, tmp):
    capture = os.path.join(corpus, "real", "chrissanders__http_google.pcapng")
    alone, report = json_report(binary, ["-f", capture], tmp)
    os.symlink(capture, os.path.join(tmp, "again.pcapng"))
    proc, twice = json_report(binary, ["-f", capture, "again.pcapng"], tmp)
    check(proc.returncode == 0 and twice["packets"]["read"] ==
          report["packets"]["read"] and twice["queries"] == report["queries"] and twice["source_ports"] == report["source_ports"],
          "the same file twice is not read once")
    check(proc.stderr == f"packet-analysis: warning: again.pcapng is the same file as {capture}; "
          "it is read once\n".encode(), f"the same file twice: stderr {proc.stderr!r}")


def main():
    binary, corpus, samples = (os.path.abspath(a) for a in sys.argv[1:4])
    group = sys.argv[4]
    with tempfile.TemporaryDirectory(prefix="pa-paths-") as tmp:
        if group == "output":
            output_group(binary, corpus, tmp)
        elif group == "interrupt":
            interrupt_group(binary, corpus, tmp)
        elif group == "rotation":
            rotation_group(binary, samples, tmp)
        elif group == "inputs":
            inputs_group(binary, corpus, tmp)
        else:
            print(f"unknown group {group}")
            return 2
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
