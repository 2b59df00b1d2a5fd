#!/usr/bin/env python3
"""packet-analysis-mpi under mpirun with 1, 2, 3 and 4 ranks (TCP on loopback) gives the report
of packet-analysis -c 0 -j 1, text and JSON, on every capture of the real corpus, on generated
captures (one file and rotated, pcap and pcapng) and on a capture built so that pieces start
inside records that hold lookalike pcap headers, DNS-over-TCP messages and fragments; a rank that
fails or dies ends the run with an error and no report.

Usage: mpi_determinism.py MPI_BINARY BINARY GENERATOR SHARED_DIR"""
import concurrent.futures
import json
import os
import struct
import subprocess
import sys
import tempfile

MPI_BINARY, BINARY, GENERATOR, SHARED = sys.argv[1:5]
MPIRUN = ["mpirun", "--oversubscribe", "--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include",
          "lo", "--mca", "oob_tcp_if_include", "lo", "--mca", "pml", "ob1"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
SESSIONS = tempfile.TemporaryDirectory(prefix="pa-mpi-sessions-")
failures = []


def mpirun(args, env):
    """mpirun ARGS, with a session directory of its own: Open MPI keeps one per job under
    /tmp, and a stale or colliding one there failed a run at start ("orte_session_dir
    failed")."""
    env = dict(env, OMPI_MCA_orte_tmpdir_base=tempfile.mkdtemp(dir=SESSIONS.name))
    return subprocess.run([*MPIRUN, *args], capture_output=True, env=env, timeout=300)


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, flush=True)


def one_thread(paths, extra=()):
    reports = []
    for fmt in ("text", "json"):
        out = subprocess.run([BINARY, "-c", "0", "-j", "1", "-q", "--format", fmt, *extra, "-f",
                              *paths], capture_output=True, check=True, env=ENV).stdout
        reports.append(out)
    return reports


def over_ranks(ranks, paths, piece_bytes=None, extra=(), env=None):
    env = dict(env or ENV)
    if piece_bytes:
        env["PA_TEST_PIECE_BYTES"] = str(piece_bytes)
    reports, split = [], None
    for fmt in ("text", "json"):
        proc = mpirun(["-n", str(ranks), MPI_BINARY, "-q", "--format", fmt, *extra, "-f", *paths],
                      env)
        if proc.returncode != 0:
            return None, proc
        out = proc.stdout
        if fmt == "json":
            parsed = json.loads(out)
            split = parsed.pop("mpi")
            out = (json.dumps(parsed, indent=2, ensure_ascii=False) + "\n").encode()
        reports.append(out)
    return reports, split


def normalized(reports):
    text, js = reports
    return [text, (json.dumps(json.loads(js), indent=2, ensure_ascii=False) + "\n").encode()]


def expect_same(label, paths, piece_bytes=None, extra=()):
    expected = normalized(one_thread(paths, extra))
    splits = []
    for ranks in (1, 2, 3, 4):
        got, split = over_ranks(ranks, paths, piece_bytes, extra)
        if got is None:
            check(False, f"{label} -n {ranks}: exit {split.returncode}: {split.stderr.decode()[-500:]}")
            continue
        check(got == expected, f"{label} -n {ranks}: the report differs from -c 0's")
        check(split["workers"] <= ranks, f"{label} -n {ranks}: {split}")
        splits.append(split)
    return splits


# A pcap built so that split points hurt: a lookalike chain of pcap records inside a UDP
# payload that ends where its record does, between the two segments of a DNS-over-TCP message
# and between the two fragments of a UDP query; the watched host learned half-way.
def dns_query(name):
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + labels + struct.pack(">HH", 1, 1)


def ipv4(protocol, payload, source, destination, ident=1, flags_offset=0):
    header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags_offset, 64,
                         protocol, 0, bytes(source), bytes(destination))
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + header + payload


def udp(sport, dport, payload):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, seq, flags, payload=b""):
    return struct.pack(">HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0) + payload


def write_hazards(path, conversations=300):
    google, server = (203, 0, 113, 7), (198, 51, 100, 53)
    records = []
    lookalike = b"".join(struct.pack("<IIII", 1000, 0, 200, 200) + b"\xee" * 200 for _ in range(12))
    for i in range(conversations):
        client = (10, 1, i >> 8, i & 255)
        if i == conversations // 2:
            answer = (struct.pack(">HHHHHH", 0x1234, 0x8180, 1, 1, 0, 0) + dns_query("www.google.com")[12:]
                      + b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + bytes(google))
            records.append(ipv4(17, udp(53, 5353, answer), server, client))
        records.append(ipv4(6, tcp(20000 + i, 80, 1, 0x02), client, google))
        frame = struct.pack(">H", len(dns_query(f"tcp{i}.example"))) + dns_query(f"tcp{i}.example")
        records.append(ipv4(6, tcp(30000 + i, 53, 1001, 0x18, frame[:9]), client, server))
        records.append(ipv4(17, udp(9999, 9999, lookalike), client, server))
        records.append(ipv4(6, tcp(30000 + i, 53, 1010, 0x18, frame[9:]), client, server))
        datagram = udp(40000 + i, 53, dns_query(f"frag{i}.example"))
        records.append(ipv4(17, datagram[:16], client, server, i, 0x2000))
        records.append(ipv4(17, udp(9999, 9999, lookalike), client, server))
        records.append(ipv4(17, datagram[16:], client, server, i, 2))
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for n, data in enumerate(records):
            f.write(struct.pack("<IIII", 1_700_000_000 + n // 1000, (n % 1000) * 1000, len(data),
                                len(data)))
            f.write(data)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        real = os.path.join(SHARED, "corpus", "real")
        names = sorted(os.listdir(real))
        # Small pieces, so that every classic pcap of the corpus is split between the ranks.
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda name: expect_same(name, [os.path.join(real, name)], 2048), names))
        # The whole corpus as one run: its timestamps overlap, so rank 0 reads it alone.
        splits = expect_same("corpus as one run", [os.path.join(real, n) for n in names], 2048)
        check(all(s.get("one_thread_because") for s in splits[1:]), f"corpus as one run: {splits}")
        expect_same("pcpp__DnsPackets.pcap, --qtype any --group-by registrable-domain --top 5",
                    [os.path.join(real, "pcpp__DnsPackets.pcap")], 2048,
                    ["--qtype", "any", "--group-by", "registrable-domain", "--top", "5"])

        for fmt in ("pcap", "pcapng"):
            for rotate in (None, 4):
                path = os.path.join(tmp, f"generated.{fmt}")
                subprocess.run([GENERATOR, "--seed", "9", "--size", "6000000", "--format", fmt, "-o",
                                path, *(["--rotate", str(rotate)] if rotate else [])], check=True,
                               stdout=subprocess.DEVNULL)
                paths = [path + str(i) for i in range(1, 5)] if rotate else [path]
                splits = expect_same(f"generated {fmt} rotate={rotate}", paths, 256 << 10)
                most = max((s["pieces"] for s in splits), default=0)
                check(most >= (4 if rotate or fmt == "pcap" else 1),
                      f"generated {fmt} rotate={rotate}: pieces {most}")

        hazards = os.path.join(tmp, "hazards.pcap")
        write_hazards(hazards)
        splits = expect_same("hazards", [hazards], 4096)
        check(sum(s["pieces_read_again"] for s in splits) > 0,
              f"hazards: no piece was read again: {splits}")
        text = one_thread([hazards])[0].decode()
        check("tcp0.example" in text and "frag299.example" in text, "hazards: messages missing")

        # A rank that fails, or dies: an error, no report, nothing written to -o.
        for variable, words in (("PA_TEST_FAILING_RANK", "fails on purpose"),
                                ("PA_TEST_DYING_RANK", "")):
            out = os.path.join(tmp, "report.txt")
            env = dict(ENV, PA_TEST_PIECE_BYTES="4096", **{variable: "1"})
            proc = mpirun(["-n", "3", MPI_BINARY, "-q", "-o", out, "-f", hazards], env)
            check(proc.returncode != 0, f"{variable}: exit 0")
            check(proc.stdout == b"", f"{variable}: wrote to standard output")
            check(not os.path.exists(out), f"{variable}: the report file appeared")
            if words:
                check(words in proc.stderr.decode(), f"{variable}: {proc.stderr.decode()[-400:]}")
        not_capture = os.path.join(tmp, "notes.txt")
        with open(not_capture, "w") as f:
            f.write("not a capture\n")
        proc = mpirun(["-n", "2", MPI_BINARY, "-q", "-f", hazards, not_capture], ENV)
        check(proc.returncode != 0 and proc.stdout == b"", "a file that is not a capture: a report")
        check("notes.txt: not a capture file" in proc.stderr.decode(),
              f"a file that is not a capture: {proc.stderr.decode()[-400:]}")
        proc = mpirun(["-n", "2", MPI_BINARY, "-c", "3", "-f", hazards], ENV)
        check(proc.returncode == 2 and b"-c: packet-analysis-mpi analyzes in-process" in proc.stderr,
              f"-c 3: {proc.returncode} {proc.stderr.decode()[-300:]}")

    if failures:
        sys.exit(f"{len(failures)} failure(s)")
    print("mpi: every rank count gave -c 0's report")


if __name__ == "__main__":
    main()
