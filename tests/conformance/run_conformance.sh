#!/bin/sh
# Usage: run_conformance.sh PROGRAM CORPUS_DIR [-j JOBS] [-k PATTERN]
# Fails (never skips) when tshark or python3 is missing.
set -eu
if ! command -v python3 >/dev/null 2>&1; then
  echo "conformance: FAIL: python3 is not installed" >&2
  exit 1
fi
exec python3 "$(dirname "$0")/run_conformance.py" "$@"
