#!/usr/bin/env python3
"""Compares packet-analysis's text report with tshark_reference.py's on every capture.

Usage: run_conformance.py PROGRAM CORPUS_DIR [-j JOBS] [-k PATTERN]

Both reports are computed afresh on every run (nothing is cached), byte for byte compared,
and a unified diff is printed for each mismatch. Exits 1 if any case differs other than
the known divergences listed below, or if tshark is missing.
"""

import argparse
import concurrent.futures
import difflib
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "tshark_reference.py")
TIMEOUT_SECONDS = 120

# Runs beyond the default options, so that the address set and the port list are exercised
# on files whose SYNs do not go to www.google.com. (file, extra options)
EXTRA_CASES = [
    # -g alone, no DNS in the file.
    ("chrissanders__http_google.pcapng", ["-g", "74.125.95.104"]),
    # IPv4 and IPv6 addresses in one set.
    ("chrissanders__http_ip4and6.pcapng", ["-g", "2001:db8:1:2::1000", "172.16.16.139"]),
    # SYN retransmissions answered by RST: the same port once.
    ("chrissanders__nowebaccess2.pcapng", ["-g", "172.16.0.102"]),
    # Learning off: the www.google.com answer must not add anything.
    ("chrissanders__arppoison.pcapng", ["-d"]),
    ("chrissanders__arppoison.pcapng", ["-d", "-g", "74.125.95.147"]),
    # CNAME chains: a.espncdn.com -> a.espncdn.com.edgesuite.net -> a1831.g.akamai.net.
    ("chrissanders__http_espn.pcapng", ["--watch-host", "a.espncdn.com"]),
    ("chrissanders__http_espn.pcapng", ["--watch-host", "log.go.com"]),
    ("zeek__wikipedia.pcap", ["--watch-host", "upload.wikimedia.org"]),
    ("pcpp__raw_ip.pcap", ["--watch-host", "www.ynet.co.il"]),
    ("pcpp__sll.pcap", ["--watch-host", "www.ynet.co.il"]),
    # Another port.
    ("pcpp__nanosecs_big_endian.pcap", ["--watch-port", "8000", "-g", "127.0.0.1"]),
    ("chrissanders__synscan.pcapng", ["--watch-port", "22", "-g", "64.13.134.52"]),
    # DNS over TCP Fast Open: the SYN to port 53 carries the query.
    ("dnscollector__dnsdump_tcp_fastopen.pcap", ["--watch-port", "53", "-g", "1.1.1.1"]),
    # IPv6 on LINKTYPE_RAW and LINKTYPE_IPV6.
    ("pcpp__four_ipv6_http_streams.pcap", ["-g", "2001:618:1:8000::5"]),
    ("pcpp__linktype_ipv6.pcap", ["-g", "2001:618:1:8000::5"]),
    # Linux SLL with nanosecond timestamps; VLAN id 0; three stacked tags.
    ("tcpdump__tcp-handshake-nano.pcap", ["-g", "137.116.81.94"]),
    ("zeek__http-vlan-0.pcap", ["-g", "192.150.187.43"]),
    ("zeek__vlan-qinqinq.pcap", ["-g", "192.150.187.43"]),
    ("zeek__workshop_2011_browse.pcap", ["-g", "192.150.187.43"]),
    # A bad TCP checksum does not matter; a SYN split over two IPv4 fragments counts.
    ("zeek__chksums_ip4-tcp-bad-chksum.pcap", ["-g", "127.0.0.1"]),
    ("zeek__ipv4_fragmented-syn.pcap", ["-g", "10.0.0.5"]),
    # Not analyzed: SYNs inside GRE/ERSPAN (outer and inner addresses given), behind PPPoE,
    # in 802.3 LLC/SNAP frames.
    ("pcpp__GrePackets.pcap", ["-g", "4.3.2.1", "10.0.0.5"]),
    ("zeek__erspan.pcap", ["-g", "10.200.0.224", "192.168.69.2"]),
    ("pcpp__one_http_stream_rst.pcap", ["-g", "185.8.212.46"]),
    ("zeek__snap-tcp.pcap", ["-g", "192.168.1.2"]),
]

# Cases where tshark's decoding cannot be made to follow the SPEC, so the reference is
# wrong and the program right. (file, extra options) -> why. Keep it empty where possible:
# fix the reference instead.
KNOWN_DIVERGENCES = {}


def run(command):
    return subprocess.run(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT_SECONDS
    )


def check(program, corpus, name, extra):
    path = os.path.join(corpus, name)
    label = " ".join([name] + extra)
    try:
        reference = run([sys.executable, REFERENCE, "-f", path, *extra])
        actual = run([program, "-c", "0", "-f", path, *extra])
    except subprocess.TimeoutExpired as error:
        return label, False, "timed out: %s\n" % " ".join(error.cmd)
    if reference.returncode != 0:
        return label, False, "reference failed (exit %d):\n%s" % (
            reference.returncode,
            reference.stderr.decode(errors="replace"),
        )
    problems = []
    if actual.returncode != 0:
        problems.append(
            "program exit %d; stderr:\n%s"
            % (actual.returncode, actual.stderr.decode(errors="replace"))
        )
    if actual.stdout != reference.stdout:
        diff = difflib.unified_diff(
            reference.stdout.decode(errors="backslashreplace").splitlines(keepends=True),
            actual.stdout.decode(errors="backslashreplace").splitlines(keepends=True),
            fromfile="tshark reference",
            tofile="packet-analysis",
        )
        problems.append("".join(diff) or "(outputs differ in bytes only)\n")
    return label, not problems, "".join(problems)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("program")
    parser.add_argument("corpus")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("-k", dest="pattern", default="", help="only files containing this")
    args = parser.parse_args()

    if shutil.which("tshark") is None:
        print("conformance: FAIL: tshark is not installed (scripts/install-deps)", file=sys.stderr)
        return 1
    program = os.path.abspath(args.program)
    if not os.access(program, os.X_OK):
        print("conformance: FAIL: no program at %s" % program, file=sys.stderr)
        return 1
    files = sorted(f for f in os.listdir(args.corpus) if not f.startswith("."))
    if not files:
        print("conformance: FAIL: no captures in %s" % args.corpus, file=sys.stderr)
        return 1
    cases = [(f, []) for f in files] + [c for c in EXTRA_CASES if c[0] in files]
    cases = [c for c in cases if args.pattern in c[0]]

    failed = []
    diverged = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(check, program, args.corpus, f, extra) for f, extra in cases]
        for (name, extra), future in zip(cases, futures):
            label, same, details = future.result()
            known = KNOWN_DIVERGENCES.get((name, tuple(extra)))
            if same:
                print("ok       %s" % label)
                if known:
                    print("         (listed as a known divergence but now agrees: %s)" % known)
            elif known:
                diverged.append(label)
                print("known    %s: %s" % (label, known))
                sys.stdout.write(details)
            else:
                failed.append(label)
                print("FAIL     %s" % label)
                sys.stdout.write(details)
            sys.stdout.flush()

    print(
        "conformance: %d cases, %d agree, %d known divergences, %d fail"
        % (len(cases), len(cases) - len(failed) - len(diverged), len(diverged), len(failed))
    )
    for label in failed:
        print("  FAIL %s" % label)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
