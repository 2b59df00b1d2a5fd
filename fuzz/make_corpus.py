#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/) from the real captures in
../shared/corpus/real: capture files cut to their first 8 KiB for the file targets; frames,
DNS messages and names taken out of them for the others, and fragments, TCP segments and
stream frames built around those, in each target's input layout (see the target's source).
Run again when a layout changes: python3 fuzz/make_corpus.py [SHARED_CORPUS_DIR]."""
import gzip
import hashlib
import os
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURE_PREFIX_BYTES = 8192
FRAMES_PER_FILE = 12
# LINKTYPE value -> the link_decode target's selector (its first byte's low three bits).
LINK_SELECTOR = {0: 0, 1: 1, 101: 2, 12: 2, 14: 2, 108: 3, 113: 4, 228: 5, 229: 6, 276: 7}


GENERATED = ["pcap_reader", "pcapng_reader", "capture_pipeline", "link_decode", "dns_message",
             "dns_name", "ip_defragment", "tcp_stream", "frame_codec", "consumer_session"]


def write(target, data):
    assert target in GENERATED, target
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def pcap_frames(data):
    magic = data[:4]
    order = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
             b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if order is None:
        return
    link_type = struct.unpack(order + "I", data[20:24])[0] & 0x0FFFFFFF
    pos = 24
    while pos + 16 <= len(data):
        captured = struct.unpack(order + "I", data[pos + 8:pos + 12])[0]
        if pos + 16 + captured > len(data):
            return
        yield link_type, data[pos + 16:pos + 16 + captured]
        pos += 16 + captured


def pcapng_frames(data):
    pos = 0
    order = "<"
    links = []
    while pos + 12 <= len(data):
        block_type = struct.unpack(order + "I", data[pos:pos + 4])[0]
        if block_type == 0x0A0D0D0A:
            order = "<" if data[pos + 8:pos + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        length = struct.unpack(order + "I", data[pos + 4:pos + 8])[0]
        if length < 12 or pos + length > len(data):
            return
        body = data[pos + 8:pos + length - 4]
        if block_type == 1:
            links.append(struct.unpack(order + "H", body[:2])[0])
        elif block_type == 6 and len(body) >= 20:
            interface, _, _, captured = struct.unpack(order + "IIII", body[:16])
            if interface < len(links):
                yield links[interface], body[20:20 + captured]
        pos += length


def frames_of(path):
    with open(path, "rb") as f:
        data = f.read()
    frames = pcapng_frames(data) if data[:4] == b"\x0a\x0d\x0d\x0a" else pcap_frames(data)
    return list(frames)


def dns_messages(path):
    """DNS payloads as tshark finds them (UDP payloads; TCP payloads without the prefix)."""
    out = subprocess.run(["tshark", "-r", path, "-Y", "dns", "-T", "fields", "-e", "udp.payload",
                          "-e", "tcp.payload"], capture_output=True, text=True).stdout
    messages = []
    for line in out.splitlines():
        for column, field in enumerate(line.split("\t")):
            field = field.split(",")[0]
            if not field:
                continue
            payload = bytes.fromhex(field)
            framed = len(payload) >= 2 and struct.unpack(">H", payload[:2])[0] == len(payload) - 2
            if column == 1 and framed:
                payload = payload[2:]
            messages.append(payload)
    return messages


def question_end(message):
    """Offset just past the first question, or None."""
    pos = 12
    while pos < len(message):
        length = message[pos]
        if length == 0:
            return pos + 1 + 4
        if length & 0xC0 == 0xC0:
            return pos + 2 + 4
        pos += 1 + length
    return None


def udp(payload, source=40000, destination=53):
    return struct.pack(">HHHH", source, destination, 8 + len(payload), 0) + payload


def fragments(datagram, v6, ident, pieces, reverse):
    """The ip_defragment target's records for `datagram` cut into `pieces` 8-byte-aligned parts."""
    size = (len(datagram) + pieces - 1) // pieces
    size = max(8, (size + 7) // 8 * 8)
    records = []
    for offset in range(0, len(datagram), size):
        part = datagram[offset:offset + size]
        more = offset + size < len(datagram)
        header = (1 if v6 else 0) | (ident & 3) << 1 | (8 if more else 0)
        records.append(struct.pack(">BHBH", header, offset // 8, 0, len(part)) + part)
    if reverse:
        records.reverse()
    return b"".join(records)


def segment(connection, from_server, flags, sequence, acknowledgment, step, payload):
    header = connection | (4 if from_server else 0)
    return struct.pack(">BBHHBH", header, flags, sequence, acknowledgment, step,
                       len(payload)) + payload


def tcp_conversation(query, response, split):
    """A client's query and the server's response over one connection, as tcp_stream records."""
    syn, ack, fin, psh = 0x02, 0x10, 0x01, 0x08
    out = struct.pack(">II", 1000, 0xFFFFFF00)  # the server's numbers wrap during the stream
    out += segment(0, False, syn, 0, 0, 0, b"")
    out += segment(0, True, syn | ack, 0, 1, 0, b"")
    framed_query = struct.pack(">H", len(query)) + query
    framed_response = struct.pack(">H", len(response)) + response
    seq = 1
    for i in range(0, len(framed_query), split):
        part = framed_query[i:i + split]
        out += segment(0, False, ack | psh, seq, 1, 0, part)
        seq += len(part)
    server_seq = 1
    for i in range(0, len(framed_response), split):
        part = framed_response[i:i + split]
        out += segment(0, True, ack | psh, server_seq, seq, 1, part)
        server_seq += len(part)
    out += segment(0, False, fin | ack, seq, server_seq, 0, b"")
    out += segment(0, True, fin | ack, server_seq, seq + 1, 0, b"")
    return out


def frame(frame_type, body):
    return struct.pack(">IB", len(body) + 1, frame_type) + body


PROTOCOL = 4


def hello_body(authenticated):
    """A provider's hello: watch port 80, www.google.com, two preset addresses, types A and
    AAAA, 4 lanes."""
    text = lambda s: struct.pack(">H", len(s)) + s
    return struct.pack(">IHHHB", 0x50415354, PROTOCOL, 8, 80, 1) + text(b"www.google.com") + \
        struct.pack(">H", 2) + b"\x04" + bytes([192, 0, 2, 1]) + b"\x06" + bytes(range(16)) + \
        struct.pack(">HHH", 2, 1, 28) + struct.pack(">IB", 4, 1 if authenticated else 0) + bytes(range(16)) + bytes(32)


def session_seeds(codec):
    """Runs of frames as the consumer_session target reads them: a byte choosing the secret,
    then frames of a type byte, a 16-bit length and the body."""
    framed = lambda seed: seed[:1] + struct.pack(">H", len(seed) - 1) + seed[1:]
    by_type = {}
    for seed in codec:
        by_type.setdefault(seed[0], []).append(seed)
    hello = framed(b"\x01" + hello_body(False))
    run = hello + framed(b"\x03" + struct.pack(">I", 7 % 4))
    seeds = [b"\x00" + hello, b"\x01" + framed(b"\x01" + hello_body(True))]
    for batch in by_type.get(4, []):
        # The batches are for lane 7; the hello announced 4 lanes, so they go to lane 3.
        body = struct.pack(">I", 3) + batch[5:]
        if len(body) < 65536:
            run += framed(b"\x04" + body)
    run += framed(b"\x05" + struct.pack(">IQQq", 3, 5, 1234, 1_600_000_000_000_000_000))
    seeds.append(b"\x00" + run + framed(b"\x07"))
    seeds.append(b"\x00" + hello + framed(b"\x03" + struct.pack(">I", 9)))
    return seeds


def codec_seeds(frames):
    """Frame bodies with their type byte in front, as the frame_codec target reads them."""
    text = lambda s: struct.pack(">H", len(s)) + s
    seeds = [b"\x01" + hello_body(False), b"\x01" + hello_body(True),
             b"\x02" + struct.pack(">IH", 0x50415354, PROTOCOL) + bytes(range(16)) + bytes(32),
             b"\x03" + struct.pack(">I", 7), b"\x06" + struct.pack(">I", 7),
             b"\x05" + struct.pack(">IQQq", 7, 3, 1234, 1_600_000_000_000_000_000), b"\x07"]
    ack = struct.pack(">IQB", 7, 3, 2) + struct.pack(">QQQQ", 10, 1, 0, 2)
    ack += struct.pack(">H", 2) + struct.pack(">HQ", 1, 5) + struct.pack(">HQ", 4, 1)
    ack += struct.pack(">I", 2) + text(b"www.google.com") + struct.pack(">QH", 3, 1) + \
        text(b"a\\032b.example") + struct.pack(">QH", 1, 28)
    ack += struct.pack(">I", 1) + b"\x04" + bytes([142, 250, 1, 1]) + struct.pack(">Qq", 9, 1)
    ack += struct.pack(">I", 2) + struct.pack(">HH", 42588, 42589)
    ack += struct.pack(">I", 1) + b"\x04" + bytes([142, 250, 1, 1]) + struct.pack(">HQ", 5000, 12)
    # The timeline: two buckets 1/4 s wide (exponent -2) from bucket 4 (1 s).
    ack += struct.pack(">HbqQQQQ", 2, -2, 4, 3, 0, 1, 1)
    ack += bytes(32)  # its MAC
    seeds.append(b"\x08" + ack)
    batch = struct.pack(">IQI", 7, 3, len(frames))
    for number, (link_type, data) in enumerate(frames, 1):
        # Captured length, then the bytes sent: here all of them.
        batch += struct.pack(">QqIIBII", number, number * 1000, len(data), link_type, 1, len(data),
                             len(data))
        batch += data
    seeds.append(b"\x04" + batch)
    # An events record, as the provider's reassembly sends it: a TCP segment, a DNS message
    # and a drop, then a packet record of an unknown interface sent without its tail.
    events = b"\x01" + b"\x04" + bytes([192, 0, 2, 1]) + b"\x06" + bytes(range(16)) + \
        struct.pack(">HHB", 40000, 53, 0x18)
    message = bytes.fromhex("1234 0100 0001 0000 0000 0000 03777777 06676f6f676c65 03636f6d 00"
                            "0001 0001")
    events += b"\x02\x01\x00" + struct.pack(">I", len(message)) + message
    events += b"\x03" + struct.pack(">H", 3)
    batch = struct.pack(">IQI", 7, 4, 2)
    batch += struct.pack(">QqIIBII", 9, 9000, 0, 0, 2, len(events), len(events)) + events
    batch += struct.pack(">QqIIBII", 10, 10000, 1500, 1, 0, 1500, 4) + bytes([1, 2, 3, 4])
    seeds.append(b"\x04" + batch)
    return seeds


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "shared",
                                                                 "corpus", "real")
    # Only the folders written here are made anew: pcap_boundary's seeds are kept by hand.
    for target in GENERATED:
        shutil.rmtree(os.path.join(HERE, "corpus", target), ignore_errors=True)
    paths = sorted(os.path.join(shared, name) for name in os.listdir(shared)
                   if name.endswith((".pcap", ".pcapng")))
    all_messages = []
    some_frames = []
    for path in paths:
        with open(path, "rb") as f:
            prefix = f.read(CAPTURE_PREFIX_BYTES)
        write("pcapng_reader" if path.endswith(".pcapng") else "pcap_reader", prefix)
        write("capture_pipeline", prefix)

        frames = frames_of(path)
        step = max(1, len(frames) // FRAMES_PER_FILE)
        for link_type, data in frames[::step][:FRAMES_PER_FILE]:
            if link_type in LINK_SELECTOR:
                write("link_decode", bytes([LINK_SELECTOR[link_type]]) + data)
        if frames and frames[0][0] in LINK_SELECTOR and len(some_frames) < 8:
            some_frames.append((frames[0][0], frames[0][1][:300]))
        all_messages += dns_messages(path)

    # Compressed captures take the pipeline through gzip and zstd.
    small = [p for p in paths if os.path.getsize(p) < 4096][:3]
    for path in small:
        with open(path, "rb") as f:
            data = f.read()
        write("capture_pipeline", gzip.compress(data, mtime=0))
        zstd = subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True)
        if zstd.returncode == 0:
            write("capture_pipeline", zstd.stdout)

    seen = set()
    messages = []
    for message in all_messages:
        if message not in seen and len(message) >= 12:
            seen.add(message)
            messages.append(message)
    messages = messages[::max(1, len(messages) // 150)]
    for i, message in enumerate(messages):
        write("dns_message", message)
        # dns_name: the first byte is the name's offset in the whole input.
        write("dns_name", bytes([12]) + message[1:])
        end = question_end(message)
        if end is not None and end < 256 and len(message) > end:
            write("dns_name", bytes([end]) + message[1:])
        if i % 3 == 0:
            write("ip_defragment", fragments(udp(message), i % 2 == 1, i, 2 + i % 3, i % 4 == 0))
        if i % 3 == 1 and i + 1 < len(messages):
            write("tcp_stream", tcp_conversation(message, messages[i + 1], [7, 40, 700][i % 3]))
    for text in [b"www.google.com", b"www.Example.COM.", b".", b"a\\.b\\\\c\\000d.example"]:
        write("dns_name", text)
    codec = codec_seeds(some_frames)
    for seed in codec:
        write("frame_codec", seed)
    for seed in session_seeds(codec):
        write("consumer_session", seed)


if __name__ == "__main__":
    main()
