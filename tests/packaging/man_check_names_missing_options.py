#!/usr/bin/env python3
"""The man page check itself: with the entries of two options taken out of a copy of the man
page, man_matches_help.py must fail and name both.

    man_check_names_missing_options.py CHECKER MAN_PAGE PROGRAM
"""
import subprocess
import sys
import tempfile

checker, man_page, program = sys.argv[1:4]
removed = ["--watch-port", "--no-promiscuous"]

with open(man_page, encoding="utf-8") as f:
    lines = f.read().splitlines()
kept, skip = [], 0
for i, line in enumerate(lines):
    if skip:
        skip -= 1
        continue
    tag = lines[i + 1].replace("\\-", "-") if i + 1 < len(lines) else ""
    if line.strip() == ".TP" and any(name in tag for name in removed):
        skip = 1  # the .TP and its tag line; the description stays, as plain text
        continue
    kept.append(line)
if len(kept) != len(lines) - 2 * len(removed):
    sys.exit(f"expected to remove {len(removed)} entries from {man_page}")

with tempfile.NamedTemporaryFile("w", suffix=".1") as broken:
    broken.write("\n".join(kept) + "\n")
    broken.flush()
    done = subprocess.run([sys.executable, checker, "--man", broken.name, program],
                          capture_output=True, text=True, timeout=120)
if done.returncode == 0:
    sys.exit(f"the check passed a man page without {removed}: {done.stdout}")
missing = [name for name in removed if name not in done.stderr]
if missing:
    sys.exit(f"the check failed but did not name {missing}: {done.stderr}")
print(f"the check fails and names {removed}: {done.stderr.strip()}")
