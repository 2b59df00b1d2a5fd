#!/usr/bin/env python3
"""The CSV report of every capture of the real corpus, read back with Python's csv module,
holds the same rows as the JSON report of the same run, for the default layout and for the
options that change the name table (--qtype, --group-by, --top).

    csv_matches_json.py PROGRAM CORPUS_REAL_DIR
"""
import csv
import io
import json
import os
import subprocess
import sys

LAYOUTS = [
    [],
    ["--qtype", "any", "--top", "5"],
    ["--qtype", "A,AAAA,65", "--group-by", "registrable-domain"],
    ["--group-by", "tld", "--top", "0"],
]


def run(program, capture, layout, report_format):
    done = subprocess.run([program, "-q", "-c", "0", "-f", capture, "--format", report_format]
                          + layout, capture_output=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"{capture} {layout} --format {report_format}: exit "
                         f"{done.returncode}: {done.stderr.decode(errors='replace')}")
    return done.stdout


def expected_rows(report, layout):
    """The CSV rows the JSON report says there must be, as tuples of strings."""
    single_type = "A"
    if "--qtype" in layout:
        types = layout[layout.index("--qtype") + 1].split(",")
        if len(types) == 1 and types[0] != "any":
            single_type = types[0]
    rows = [("input", name, "", "", "", "", "", "", "") for name in report["inputs"]]

    def summary(name, value):
        rows.append(("summary", name, "", str(value), "", "", "", "", ""))

    summary("packets_read", report["packets"]["read"])
    summary("packets_skipped", report["packets"]["skipped"])
    for reason, count in report["packets"]["skipped_by_reason"].items():
        summary("skipped:" + reason, count)
    summary("dns_messages", report["dns"]["messages"])
    summary("dns_malformed", report["dns"]["malformed"])
    summary("dns_malformed_answer_sections", report["dns"]["malformed_answer_sections"])
    summary("queries_total", report["queries"]["total"])
    for row in report["queries"]["names"]:
        rows.append(("name", row["name"], row.get("type", single_type), str(row["count"]),
                     f"{row['percentage']:.2f}", "", "", "", ""))
    folded = report["queries"].get("folded")
    if folded is not None:
        label = f"({folded['names']} other {'name' if folded['names'] == 1 else 'names'})"
        rows.append(("folded", label, "", str(folded["count"]), f"{folded['percentage']:.2f}",
                     "", "", "", ""))
    for learned in report["watched_addresses"]:
        rows.append(("address", "", "", "", "", learned["address"], str(learned["packet"]),
                     learned["time"] if learned["source"] == "dns" else "", ""))
    for port in report["source_ports"]:
        rows.append(("port", "", "", "", "", "", "", "", str(port)))
    return rows


def main():
    program, corpus = sys.argv[1:3]
    captures = sorted(os.path.join(corpus, name) for name in os.listdir(corpus))
    failures = 0
    checked = 0
    for capture in captures:
        for layout in LAYOUTS:
            report = json.loads(run(program, capture, layout, "json"))
            text = run(program, capture, layout, "csv").decode("utf-8")
            if not text.endswith("\r\n"):
                failures += 1
                print(f"FAIL {capture} {layout}: rows do not end in CRLF", file=sys.stderr)
            table = list(csv.reader(io.StringIO(text, newline="")))
            header = ("section", "name", "type", "count", "percentage", "address", "packet",
                      "time", "port")
            got = [tuple(row) for row in table]
            want = [header] + expected_rows(report, layout)
            checked += 1
            if got != want:
                failures += 1
                print(f"FAIL {os.path.basename(capture)} {' '.join(layout)}", file=sys.stderr)
                for index, (a, b) in enumerate(zip(got, want)):
                    if a != b:
                        print(f"  row {index}: csv {a}\n          json {b}", file=sys.stderr)
                        break
                if len(got) != len(want):
                    print(f"  {len(got)} csv rows, {len(want)} from json", file=sys.stderr)
    print(f"{checked} reports compared, {failures} differ")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
