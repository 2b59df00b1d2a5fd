#!/usr/bin/env python3
"""Runs one end-to-end case: the program with the case's arguments, compared with what the
case expects.

A case is a folder holding:
  args         the command line after the program name, one word per line (no shell), run
               from the corpus folder (so relative paths like real/x.pcap print the same
               everywhere), where
               @CORPUS@ is the shared corpus, @SAMPLES@ the bundled samples, @CASE@ the case's
               own folder and @TMP@ a fresh temporary folder
  stdin        optional: a file whose bytes are fed to standard input (else none)
  exit_status  the expected exit status
  stdout       optional: the exact expected standard output (absent: must be empty)
  stderr       optional: the exact expected standard error (absent: must be empty)
  stderr_match optional: instead of stderr, a regular expression the whole of stderr matches
  output       optional: the exact expected content of @TMP@/output (for -o)
"""
import os
import re
import subprocess
import sys
import tempfile


def main():
    binary, case, corpus, samples = (os.path.abspath(a) for a in sys.argv[1:5])
    with tempfile.TemporaryDirectory(prefix="pa-e2e-") as tmp:
        def expand(word):
            return (word.replace("@CORPUS@", corpus).replace("@SAMPLES@", samples)
                    .replace("@CASE@", case).replace("@TMP@", tmp))

        with open(os.path.join(case, "args"), encoding="utf-8") as f:
            args = [expand(line.rstrip("\n")) for line in f if line.rstrip("\n") != ""]
        stdin_path = os.path.join(case, "stdin")
        stdin = open(expand(open(stdin_path).read().strip()), "rb") if os.path.exists(stdin_path) else subprocess.DEVNULL
        proc = subprocess.run([os.path.abspath(binary)] + args, stdin=stdin, capture_output=True,
                              timeout=120, cwd=corpus)

        failures = []

        def expected(name):
            path = os.path.join(case, name)
            if not os.path.exists(path):
                return None
            with open(path, "rb") as f:
                return f.read()

        want_status = int(expected("exit_status").decode().strip())
        if proc.returncode != want_status:
            failures.append(f"exit status {proc.returncode}, expected {want_status}")
        want_stdout = expected("stdout") or b""
        if proc.stdout != want_stdout:
            failures.append("stdout differs:\n--- got\n" + proc.stdout.decode(errors="replace")
                            + "--- expected\n" + want_stdout.decode(errors="replace"))
        stderr_text = proc.stderr.decode(errors="replace")
        pattern = expected("stderr_match")
        if pattern is not None:
            if not re.fullmatch(pattern.decode().strip(), stderr_text.rstrip("\n"), re.S):
                failures.append(f"stderr {stderr_text!r} does not match {pattern.decode().strip()!r}")
        else:
            want_stderr = expected("stderr") or b""
            if proc.stderr != want_stderr:
                failures.append(f"stderr {stderr_text!r}, expected {want_stderr.decode()!r}")
        want_output = expected("output")
        if want_output is not None:
            out_path = os.path.join(tmp, "output")
            got = open(out_path, "rb").read() if os.path.exists(out_path) else None
            if got != want_output:
                failures.append(f"@TMP@/output differs: {got!r}")
        if failures:
            print(f"case {os.path.basename(case)}: " + " ".join(args))
            print("\n".join(failures))
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
