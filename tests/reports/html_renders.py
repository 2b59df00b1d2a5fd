#!/usr/bin/env python3
"""The HTML report checked by readers from outside: an XML parser and tidy say it is valid,
headless Chromium renders it (a screenshot that is not blank) and its DOM (--dump-dom) holds
the chart's bars, one per shown row and one for the folded row. A capture whose queried
names hold markup and quotes, read from a file whose name holds markup, renders them as text:
no element comes from them.

    html_renders.py PROGRAM CORPUS_REAL_DIR
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
import zlib

XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message, file=sys.stderr)


def report(program, capture, *options):
    done = subprocess.run([program, "-q", "-f", capture, "--format", "html", *options],
                          capture_output=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"{capture}: exit {done.returncode}: {done.stderr.decode()}")
    return done.stdout


def chromium(work, page, *mode):
    profile = tempfile.mkdtemp(prefix="profile-", dir=work)
    done = subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *mode,
                           "file://" + page], capture_output=True, timeout=120, cwd=work)
    if done.returncode != 0:
        raise SystemExit(f"chromium {mode}: exit {done.returncode}: {done.stderr.decode()[-2000:]}")
    return done.stdout.decode("utf-8", errors="replace")


def png_pixels(path):
    """The distinct RGB(A) pixel values of a PNG (8-bit, colour type 2 or 6), unfiltered."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat, width, height, channels = 8, b"", 0, 0, 0
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"PNG depth {depth} colour {colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    distinct = set()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        for i in range(0, stride, channels):
            distinct.add(bytes(line[i:i + 3]))
        previous = line
    return distinct


def dns_query(name_labels, ident):
    question = b"".join(bytes([len(label)]) + label for label in name_labels) + b"\0"
    message = struct.pack(">HHHHHH", ident, 0x0100, 1, 0, 0, 0) + question + struct.pack(">HH", 1, 1)
    udp = struct.pack(">HHHH", 40000 + ident, 53, 8 + len(message), 0) + message
    total = 20 + len(udp)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, ident, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 53]))
    return b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00" + ip + udp


def hostile_capture(path):
    """A pcap of A queries for names whose labels hold markup, quotes and ampersands."""
    names = [[b"<script>alert(1)</script>", b"example", b"com"],
             [b"\"onmouseover=alert(2)", b"example", b"org"],
             [b"a&amp;b'c", b"example", b"net"]]
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for number, labels in enumerate(names * 2):
            frame = dns_query(labels, number + 1)
            out.write(struct.pack("<IIII", 1700000000 + number, 0, len(frame), len(frame)))
            out.write(frame)


def validate(page_path, what):
    try:
        tree = ElementTree.parse(page_path)
    except ElementTree.ParseError as error:
        check(False, f"{what}: not well-formed XML: {error}")
        return None
    done = subprocess.run(["tidy", "-errors", "-quiet", page_path], capture_output=True, text=True)
    check(done.returncode == 0, f"{what}: tidy -errors exit {done.returncode}: {done.stderr}")
    root = tree.getroot()
    check(not list(root.iter(XHTML + "script")) and not list(root.iter(SVG + "script")),
          f"{what}: the page holds a script element")
    for element in root.iter():
        for attribute, value in element.attrib.items():
            check(not (attribute in ("src", "href") and "://" in value),
                  f"{what}: fetches {value}")
            check(not attribute.lower().startswith("on"), f"{what}: event attribute {attribute}")
    return root


def main():
    program, corpus = sys.argv[1:3]
    if shutil.which("chromium") is None or shutil.which("tidy") is None:
        raise SystemExit("chromium and tidy are needed (scripts/install-deps installs them)")
    work = tempfile.mkdtemp(prefix="pa-html-")
    try:
        # A real capture: 10 names shown and the rest folded.
        page = os.path.join(work, "report.html")
        with open(page, "wb") as out:
            out.write(report(program, os.path.join(corpus, "pcpp__DnsPackets.pcap"),
                             "--qtype", "any", "--top", "10"))
        root = validate(page, "pcpp__DnsPackets")
        if root is not None:
            bars = [e for e in root.iter(SVG + "rect") if e.get("class") in ("bar", "folded")]
            check(len(bars) == 11, f"{len(bars)} bars in the page, expected 10 and a folded one")
            timeline = [e for e in root.iter(SVG + "svg") if e.get("id") == "timeline-chart"]
            check(len(timeline) == 1, "the page has no timeline chart")
            query_bars = [e for e in root.iter(SVG + "rect") if e.get("class") == "tq"]
            check(query_bars, "the timeline has no query bars")
        chromium(work, page, "--window-size=1000,1200", "--screenshot=" + os.path.join(work, "shot.png"))
        colours = png_pixels(os.path.join(work, "shot.png"))
        check(len(colours) > 2, f"the screenshot is blank ({len(colours)} colours)")
        check(b"\x3b\x6e\xa8" in colours, "the bars' colour (#3b6ea8) is not in the screenshot")
        dom = chromium(work, page, "--dump-dom")
        check(len(re.findall(r'<rect class="bar"', dom)) == 10, "the DOM holds no 10 bars")
        check(len(re.findall(r'<rect class="folded"', dom)) == 1, "the DOM holds no folded bar")
        check("www.google-analytics.com" in dom and "(162 other names)" in dom,
              "the DOM lacks the top name or the folded row's label")
        check(re.search(r"One bar = [0-9/]+ s", dom) is not None, "the DOM states no interval")
        check("Time span (UTC)" in dom, "the DOM has no time span in the summary")
        check(len(re.findall(r'<rect class="tq"', dom)) >= 1, "the DOM holds no timeline bars")

        # Hostile names and a hostile file name.
        capture = os.path.join(work, "<b>x<i>\"'.pcap")
        hostile_capture(capture)
        page = os.path.join(work, "hostile.html")
        with open(page, "wb") as out:
            out.write(report(program, capture))
        root = validate(page, "hostile names")
        if root is not None:
            check(not list(root.iter(XHTML + "b")), "the file name made a <b> element")
        dom = chromium(work, page, "--dump-dom")
        check("<script" not in dom, "a <script> element in the rendered DOM")
        check("<b>" not in dom, "a <b> element in the rendered DOM")
        check("onmouseover=" not in dom, "an event attribute in the rendered DOM")
        for text in ("\\060script\\062alert\\0401\\041\\060\\047script\\062.example.com",
                     "a\\038amp\\059b\\039c.example.net", "\\034onmouseover\\061alert", "&lt;b&gt;x&lt;i&gt;"):
            check(text in dom, f"the DOM does not show {text} as text")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
