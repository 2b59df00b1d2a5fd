#!/usr/bin/env bash
# The generator's expected answers hold for the analyzer on generated captures in every
# container format: pcap (µs), pcap-ns, pcapng, a capture rotated into several files, gzip and
# zstd, and standard input. Each is generated with its own seed and compared byte for byte
# with the text report the generator computed from what it generated.
set -euo pipefail
analyzer=$1
generator=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

check() {  # name expected-report analyzer-args...
  local name=$1 expected=$2
  shift 2
  if "$analyzer" -c 0 -q "$@" > "$work/$name.out" 2> "$work/$name.err" \
      && cmp -s "$work/$name.out" "$expected" && [ ! -s "$work/$name.err" ]; then
    echo "ok   $name"
  else
    echo "FAIL $name"
    diff "$expected" "$work/$name.out" | head -20 || true
    cat "$work/$name.err"
    failures=$((failures + 1))
  fi
}

generate() {  # name seed format extra-args...
  local name=$1 seed=$2 format=$3
  shift 3
  "$generator" --seed "$seed" --duration 120 --rate 2 --format "$format" \
      -o "$work/$name" --expected "$work/$name.expected.json" "$@"
}

generate office.pcap 11 pcap
check pcap "$work/office.pcap.expected.txt" -f "$work/office.pcap"
generate office-ns.pcap 12 pcap-ns
check pcap-ns "$work/office-ns.pcap.expected.txt" -f "$work/office-ns.pcap"
generate office.pcapng 13 pcapng
check pcapng "$work/office.pcapng.expected.txt" -f "$work/office.pcapng"
generate rotated.pcapng 14 pcapng --rotate 5
check rotated "$work/rotated.pcapng.expected.txt" -f "$work/rotated.pcapng"
gzip -c "$work/office.pcap" > "$work/office.pcap.gz"
check gzip "$work/office.pcap.expected.txt" -f "$work/office.pcap.gz"
if command -v zstd > /dev/null; then
  zstd -q -c "$work/office.pcapng" > "$work/office.pcapng.zst"
  check zstd "$work/office.pcapng.expected.txt" -f "$work/office.pcapng.zst"
else
  echo "FAIL zstd: the zstd command is missing (scripts/install-deps installs it)"
  failures=$((failures + 1))
fi
check stdin "$work/office-ns.pcap.expected.txt" -f - < "$work/office-ns.pcap"

echo "$((7 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
