#!/usr/bin/env python3
"""Every capture in a folder must finish: exit 0 (with any warnings on stderr) or exit 1 with
one clean `packet-analysis: error: ...` line, within the time limit, and with no sanitizer
report. Runs two files at a time."""
import concurrent.futures
import os
import subprocess
import sys

TIME_LIMIT_SECONDS = 10


def check(binary, path):
    try:
        proc = subprocess.run([binary, "-c", "0", "-q", "-f", path], capture_output=True,
                              timeout=TIME_LIMIT_SECONDS, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f"{path}: did not finish within {TIME_LIMIT_SECONDS} s"
    stderr = proc.stderr.decode(errors="replace")
    if "Sanitizer" in stderr or "runtime error" in stderr or "LeakSanitizer" in stderr:
        return f"{path}: sanitizer report:\n{stderr}"
    lines = stderr.splitlines()
    if proc.returncode == 0:
        bad = [l for l in lines if not l.startswith("packet-analysis: warning: ")]
        if bad:
            return f"{path}: exit 0 with unexpected stderr: {bad[:3]}"
        if not proc.stdout:
            return f"{path}: exit 0 without a report"
        return None
    if proc.returncode == 1:
        errors = [l for l in lines if l.startswith("packet-analysis: error: ")]
        others = [l for l in lines if not l.startswith("packet-analysis: ")]
        if len(errors) != 1 or others or proc.stdout:
            return f"{path}: exit 1 must give one error line and no report; stderr: {lines[:3]}"
        return None
    return f"{path}: exit status {proc.returncode}; stderr: {stderr[:500]}"


def main():
    binary, folder = sys.argv[1:3]
    paths = sorted(os.path.join(root, name) for root, _, names in os.walk(folder) for name in names
                   if not name.endswith((".md", ".txt")))
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        failures = [f for f in pool.map(lambda p: check(binary, p), paths) if f]
    for failure in failures:
        print(failure)
    print(f"{len(paths) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures or not paths else 0


if __name__ == "__main__":
    sys.exit(main())
