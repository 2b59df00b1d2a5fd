#!/usr/bin/env python3
"""Computes the SPEC's text report for one capture from tshark's decoding.

tshark does the link layers, IP defragmentation, TCP reassembly and the layering of
tunnels; this script walks tshark's layer list, keeps only what the SPEC analyzes (the
outermost IP layer, TCP/UDP directly on it, DNS on port 53), reads each DNS message from
the raw bytes tshark hands over, and computes the three results and the report on its own.
It shares no code with the program it checks.

Usage: tshark_reference.py [--watch-host NAME] [--watch-port N] [-g IP...] [-d] [--json]
                           [-f] FILE
"""

import argparse
import ipaddress
import json
import shutil
import subprocess
import sys

DNS_PORT = 53

# Link layers the SPEC decodes, as tshark names them in frame.protocols. Anything else
# before the first IP layer (llc, pppoes, nflog, fddi, ...) means the SPEC skips the frame.
# "sll" covers both SLL and SLL2; "null" covers BSD NULL and LOOP.
SUPPORTED_LINK_TOKENS = {"eth", "ethertype", "vlan", "ieee8021ad", "sll", "raw", "null", "loop"}

TYPE_A = 1
TYPE_CNAME = 5
TYPE_AAAA = 28
CLASS_IN = 1

TSHARK_PREFERENCES = [
    # The SPEC reassembles IPv4 and IPv6 fragments.
    "ip.defragment:TRUE",
    "ipv6.defragment:TRUE",
    # DNS over TCP is read from the reassembled byte stream of each direction.
    "tcp.desegment_tcp_streams:TRUE",
    "dns.desegment_dns_messages:TRUE",
    # tcp.reassemble_out_of_order stays off (tshark's default): with it on, tshark waits
    # for a missing segment forever and loses every message after a gap; off, it starts
    # again at the next segment, as the program does (dnscap__dnso1tcp-midmiss.pcap).
    # The SPEC says nothing about checksums: a segment is analyzed whatever its checksum.
    "ip.check_checksum:FALSE",
    "tcp.check_checksum:FALSE",
    "udp.check_checksum:FALSE",
]


class Malformed(Exception):
    pass


# ---------------------------------------------------------------------------------------
# DNS wire format (RFC 1035 4.1), read from the raw bytes of one message.


def read_name(msg, pos):
    """Returns (labels, position after the name in place). Raises Malformed."""
    labels = []
    wire_length = 1  # the final zero byte
    end = None
    sequence_start = pos  # where the label sequence being read starts
    while True:
        if pos >= len(msg):
            raise Malformed("name runs past the end")
        length = msg[pos]
        kind = length & 0xC0
        if kind == 0xC0:
            if pos + 1 >= len(msg):
                raise Malformed("pointer runs past the end")
            target = ((length & 0x3F) << 8) | msg[pos + 1]
            # RFC 1035 4.1.4: a pointer refers to a prior occurrence. It must point strictly
            # before the label sequence it ends, so each jump goes further back and loops
            # cannot happen.
            if target >= sequence_start:
                raise Malformed("pointer does not point backward")
            if end is None:
                end = pos + 2
            pos = target
            sequence_start = target
            continue
        if kind != 0:
            raise Malformed("extended label type")
        if length == 0:
            if end is None:
                end = pos + 1
            return labels, end
        if pos + 1 + length > len(msg):
            raise Malformed("label runs past the end")
        wire_length += length + 1
        if wire_length > 255:
            raise Malformed("name longer than 255 bytes")
        labels.append(bytes(msg[pos + 1 : pos + 1 + length]))
        pos += 1 + length


def lower_labels(labels):
    return tuple(label.lower() for label in labels)  # bytes.lower() is ASCII only


def escape_name(labels):
    if not labels:
        return "<root>"
    out = []
    for label in labels:
        text = []
        for byte in label.lower():
            ch = chr(byte)
            if ch.isascii() and (ch.islower() or ch.isdigit() or ch in "-_"):
                text.append(ch)
            elif ch == ".":
                text.append("\\.")
            elif ch == "\\":
                text.append("\\\\")
            else:
                text.append("\\%03d" % byte)
        out.append("".join(text))
    return ".".join(out)


def u16(msg, pos):
    if pos + 2 > len(msg):
        raise Malformed("u16 past the end")
    return (msg[pos] << 8) | msg[pos + 1]


def parse_header(msg):
    if len(msg) < 12:
        raise Malformed("header shorter than 12 bytes")
    flags = u16(msg, 2)
    return {
        "qr": flags >> 15,
        "opcode": (flags >> 11) & 0xF,
        "qdcount": u16(msg, 4),
        "ancount": u16(msg, 6),
    }


def parse_questions(msg, count):
    """Returns (list of (labels, qtype), position after). Raises Malformed."""
    pos = 12
    questions = []
    for _ in range(count):
        labels, pos = read_name(msg, pos)
        qtype = u16(msg, pos)
        u16(msg, pos + 2)  # qclass
        pos += 4
        questions.append((labels, qtype))
    return questions, pos


def parse_answers(msg, pos, count):
    """Returns the answer records read in order up to the first malformed one."""
    records = []
    for _ in range(count):
        try:
            owner, pos = read_name(msg, pos)
            rtype = u16(msg, pos)
            rclass = u16(msg, pos + 2)
            if pos + 8 > len(msg):
                raise Malformed("ttl past the end")
            rdlength = u16(msg, pos + 8)
            rdata_start = pos + 10
            rdata_end = rdata_start + rdlength
            if rdata_end > len(msg):
                raise Malformed("rdata past the end")
            if rclass != CLASS_IN:
                # Another class's A record is not an IPv4 address (CHAOS A holds a name and
                # an address), and docs/decisions.md uses only class-IN records.
                rtype, value = None, None
            elif rtype == TYPE_A:
                if rdlength != 4:
                    raise Malformed("A rdata is not 4 bytes")
                value = ipaddress.IPv4Address(bytes(msg[rdata_start:rdata_end]))
            elif rtype == TYPE_AAAA:
                if rdlength != 16:
                    raise Malformed("AAAA rdata is not 16 bytes")
                value = ipaddress.IPv6Address(bytes(msg[rdata_start:rdata_end]))
            elif rtype == TYPE_CNAME:
                target, target_end = read_name(msg, rdata_start)
                if target_end != rdata_end:
                    raise Malformed("CNAME target does not fill its rdata")
                value = target
            else:
                value = None
            pos = rdata_end
        except Malformed:
            break
        records.append((owner, rtype, value))
    return records


# ---------------------------------------------------------------------------------------
# tshark's output.


def pairs_get(pairs, key, default=None):
    for k, v in pairs:
        if k == key:
            return v
    return default


def run_tshark(path):
    if shutil.which("tshark") is None:
        sys.exit("tshark_reference: error: tshark not found in PATH")
    # JSON keeps repeated layers as repeated keys, in order (no --no-duplicate-keys), and
    # -x adds each layer's raw bytes, from the reassembled data where there is some.
    command = ["tshark", "-r", path, "-n", "-T", "json", "-x"]
    for pref in TSHARK_PREFERENCES:
        command += ["-o", pref]
    # DNS is port 53 and nothing else (SPEC): make tshark dissect port 53 as DNS whatever
    # its heuristics think; other ports are filtered out below.
    command += ["-d", "udp.port==53,dns", "-d", "tcp.port==53,dns"]
    command += ["-Y", "dns or tcp.flags.syn == 1"]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    text = done.stdout.decode("utf-8", errors="surrogateescape")
    try:
        frames = json.loads(text, object_pairs_hook=lambda p: p) if text.strip() else []
    except json.JSONDecodeError:
        sys.exit(
            "tshark_reference: error: tshark failed on %s (exit %d): %s"
            % (path, done.returncode, done.stderr.decode(errors="replace").strip())
        )
    if done.returncode != 0:
        # A capture cut short: tshark still prints every whole frame, as the SPEC wants.
        print(
            "tshark_reference: warning: tshark exit %d on %s: %s"
            % (done.returncode, path, done.stderr.decode(errors="replace").strip()),
            file=sys.stderr,
        )
    return frames


def ip_length_exceeds_packet(layers, ip_index, ip_name, ip_pairs):
    """True when the IP header claims more bytes than the packet had on the wire.

    tshark dissects such a packet with what is there; the SPEC counts it under a bad
    length and skips it. A packet the snap length cut short (captured < original length)
    is another matter: its IP layer is analyzed as far as it was captured.
    """
    frame = pairs_get(layers, "frame")
    raw = layers[ip_index - 1][1] if layers[ip_index - 1][0] == ip_name + "_raw" else None
    try:
        original_length = int(pairs_get(frame, "frame.len"))
        ip_offset = int(raw[1])
        if ip_name == "ip":
            declared = int(pairs_get(ip_pairs, "ip.len"))
        else:
            declared = int(pairs_get(ip_pairs, "ipv6.plen"))
            if declared == 0:
                return False  # a jumbogram (RFC 2675) says its length elsewhere
            declared += 40
    except (TypeError, ValueError, IndexError):
        return False
    return declared > original_length - ip_offset


def outermost(layers):
    """Picks the outermost IP layer and the transport right on it, per SPEC.

    Returns (ip_pairs, transport_name, transport_pairs, dns_raw_list) or None when the SPEC
    would not analyze this frame (unsupported link layer, no IP, the outermost IP does not
    carry TCP/UDP: ICMP errors, GRE, IP-in-IP, ...).
    """
    frame = pairs_get(layers, "frame")
    tokens = pairs_get(frame, "frame.protocols", "").split(":")
    names = [k for k, _ in layers]
    if tokens[:2] in (["ip", "ipv6"], ["ipv6", "ip"]) and tokens[0] not in names:
        # A raw-IP link type (LINKTYPE_IPV4, LINKTYPE_IPV6) whose packet has the other
        # version: tshark's first layer there only reads the version nibble and hands over
        # without a layer of its own. The program does the same (it follows the nibble).
        tokens = tokens[1:]
    i = 0
    while i < len(tokens) and tokens[i] not in ("ip", "ipv6"):
        if tokens[i] not in SUPPORTED_LINK_TOKENS:
            return None
        i += 1
    if i == len(tokens):
        return None
    ip_name = tokens[i]
    i += 1
    while i < len(tokens) and tokens[i].startswith("ipv6."):  # IPv6 extension headers
        i += 1
    if i == len(tokens) or tokens[i] not in ("tcp", "udp"):
        return None
    transport_name = tokens[i]
    above = tokens[i + 1] if i + 1 < len(tokens) else None

    ip_index = names.index(ip_name)
    ip_pairs = layers[ip_index][1]
    if ip_length_exceeds_packet(layers, ip_index, ip_name, ip_pairs):
        return None
    t_index = names.index(transport_name, ip_index)
    transport_pairs = layers[t_index][1]
    dns_raw = []
    if above == "dns":
        # Every DNS message tshark found in this frame (several for TCP), in order.
        for k, v in layers[t_index + 1 :]:
            if k == "dns_raw":
                dns_raw.append([bytes.fromhex(v[0]), None])
            elif k == "dns" and dns_raw:
                dns_raw[-1][1] = v
            elif k in ("ip", "ipv6", "tcp", "udp"):
                break
    return ip_name, ip_pairs, transport_name, transport_pairs, dns_raw


def walk(pairs):
    for key, value in pairs:
        yield key, value
        if isinstance(value, list) and value and isinstance(value[0], list) and len(value[0]) == 2 \
                and isinstance(value[0][0], str):
            yield from walk(value)


def tshark_a_questions(dns_pairs):
    """tshark's own reading of the A questions of a message, as a cross-check.

    None when tshark found the message malformed or a name has bytes tshark prints its own
    way (there, only our reading of the raw bytes counts).
    """
    if dns_pairs is None:
        return None
    names = []
    queries = None
    for key, value in walk(dns_pairs):
        if key in ("_ws.malformed", "_ws.expert") and "malformed" in json.dumps(value).lower():
            return None
        if key == "Queries":
            queries = value
    if queries is None:
        return []
    for _, query in queries:
        qtype = pairs_get(query, "dns.qry.type")
        name = pairs_get(query, "dns.qry.name")
        if qtype is None or name is None:
            return None
        if qtype == "1":
            name = name.lower()
            if name == "<root>" or any(not (c.isascii() and (c.isalnum() or c in "-_.")) for c in name):
                return None
            names.append(name)
    return names


# ---------------------------------------------------------------------------------------
# The analysis.


def analyze(frames, watch_host, watch_port, given, learn):
    watched = lower_labels(
        [label.encode() for label in watch_host.rstrip(".").split(".") if label]
    )
    addresses = {}  # address -> frame number it was learned in (0 for -g)
    for text in given:
        addresses.setdefault(ipaddress.ip_address(text), 0)
    counts = {}
    ports = set()
    syns = []
    malformed = []
    disagreements = []
    for frame in frames:
        layers = pairs_get(pairs_get(frame, "_source"), "layers")
        number = int(pairs_get(pairs_get(layers, "frame"), "frame.number"))
        picked = outermost(layers)
        if picked is None:
            continue
        ip_name, ip_pairs, transport_name, transport_pairs, dns_raw = picked
        prefix = transport_name + "."
        try:
            src_port = int(pairs_get(transport_pairs, prefix + "srcport"))
            dst_port = int(pairs_get(transport_pairs, prefix + "dstport"))
            flags = int(pairs_get(transport_pairs, "tcp.flags", "0"), 16)
        except (TypeError, ValueError):
            continue  # tshark could not read the transport header: the SPEC skips it too

        if transport_name == "tcp":
            syn, rst, ack = flags & 0x02, flags & 0x04, flags & 0x10
            if syn and not ack and not rst and dst_port == watch_port:
                dst = ipaddress.ip_address(
                    pairs_get(ip_pairs, "ip.dst" if ip_name == "ip" else "ipv6.dst")
                )
                if dst in addresses:
                    ports.add(src_port)
                    syns.append({"frame": number, "dst": str(dst), "src_port": src_port})

        if DNS_PORT not in (src_port, dst_port):
            continue
        for raw, dissected in dns_raw:
            msg = raw[2:] if transport_name == "tcp" else raw  # TCP: 2-byte length prefix
            try:
                header = parse_header(msg)
            except Malformed as error:
                malformed.append({"frame": number, "why": str(error)})
                continue
            if header["qr"] == 0:
                if header["opcode"] != 0:
                    continue
                try:
                    questions, _ = parse_questions(msg, header["qdcount"])
                except Malformed as error:
                    malformed.append({"frame": number, "why": "question: " + str(error)})
                    continue
                ours = []
                for labels, qtype in questions:
                    if qtype == TYPE_A:
                        name = escape_name(lower_labels(labels))
                        counts[name] = counts.get(name, 0) + 1
                        ours.append(name)
                theirs = tshark_a_questions(dissected)
                # tshark prints a "." inside a label as a plain ".".
                if theirs is not None and theirs != [n.replace("\\.", ".") for n in ours]:
                    disagreements.append({"frame": number, "ours": ours, "tshark": theirs})
            elif learn:
                try:
                    _, pos = parse_questions(msg, header["qdcount"])
                except Malformed as error:
                    malformed.append({"frame": number, "why": "question: " + str(error)})
                    continue
                records = parse_answers(msg, pos, header["ancount"])
                owners = {watched}
                grown = True
                while grown:  # CNAME closure, whatever the order of the records
                    grown = False
                    for owner, rtype, value in records:
                        if rtype == TYPE_CNAME and lower_labels(owner) in owners:
                            target = lower_labels(value)
                            if target not in owners:
                                owners.add(target)
                                grown = True
                for owner, rtype, value in records:
                    if rtype in (TYPE_A, TYPE_AAAA) and lower_labels(owner) in owners:
                        addresses.setdefault(value, number)
    return counts, ports, addresses, syns, malformed, disagreements


def write_report(out, watch_host, watch_port, counts, ports):
    title = "List of TCP source ports from connections initiated to %s:%d" % (
        watch_host,
        watch_port,
    )
    out.write(title + "\n" + "=" * len(title) + "\n")
    for port in sorted(ports):
        out.write("%d\n" % port)
    out.write("\n")
    title = "Domain name distribution in DNS resolution queries"
    out.write(title + "\n" + "=" * len(title) + "\n")
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0].encode()))
    name_width = max([20] + [len(name) for name, _ in rows])
    count_width = max([5] + [len(str(count)) for _, count in rows])
    header = "%s | %s | percentage of total" % ("name".ljust(name_width), "count".ljust(count_width))
    out.write(header + "\n" + "-" * len(header) + "\n")
    total = sum(counts.values())
    for name, count in rows:
        out.write(
            "%s | %s | %s\n"
            % (name.ljust(name_width), str(count).ljust(count_width), f"{100 * count / total:.2f}%")
        )
    out.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watch-host", default="www.google.com")
    parser.add_argument("--watch-port", type=int, default=80)
    parser.add_argument("-g", dest="given", nargs="+", action="extend", default=[], metavar="IP")
    parser.add_argument("-d", dest="no_learning", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the raw results instead")
    parser.add_argument("-f", dest="file_option", metavar="FILE")
    parser.add_argument("file", nargs="?")
    args = parser.parse_args()
    path = args.file_option or args.file
    if path is None:
        parser.error("a capture file is required")

    frames = run_tshark(path)
    counts, ports, addresses, syns, malformed, disagreements = analyze(
        frames, args.watch_host, args.watch_port, args.given, not args.no_learning
    )
    if args.json:
        json.dump(
            {
                "file": path,
                "a_queries": dict(sorted(counts.items(), key=lambda i: (-i[1], i[0]))),
                "a_query_total": sum(counts.values()),
                "addresses": [
                    {"address": str(a), "learned_in_frame": n}
                    for a, n in sorted(addresses.items(), key=lambda i: (i[1], str(i[0])))
                ],
                "syns": syns,
                "ports": sorted(ports),
                "malformed_dns": malformed,
                "tshark_disagrees": disagreements,
            },
            sys.stdout,
            indent=1,
        )
        sys.stdout.write("\n")
    else:
        write_report(sys.stdout, args.watch_host, args.watch_port, counts, ports)


if __name__ == "__main__":
    main()
