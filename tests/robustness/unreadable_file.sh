#!/bin/sh
# A capture the user may not read: one `packet-analysis: error: FILE: Permission denied` line,
# exit status 1, nothing on stdout. Root reads every file whatever its mode, so as root the
# program runs as `nobody` (setpriv, util-linux) on a root-owned 0600 file.
#   unreadable_file.sh PACKET_ANALYSIS CAPTURE
set -eu
binary=$1
capture=$2

folder=$(mktemp -d)
trap 'rm -rf "$folder"' EXIT
chmod 755 "$folder"
file=$folder/private.pcap
cp "$capture" "$file"
chmod 600 "$file"

run=""
if [ "$(id -u)" -eq 0 ]; then
  run="setpriv --reuid=nobody --regid=nogroup --clear-groups"
else
  chmod 000 "$file"
fi

status=0
$run "$binary" -c 0 -f "$file" >"$folder/stdout" 2>"$folder/stderr" || status=$?

expected="packet-analysis: error: $file: Permission denied"
failed=0
if [ "$status" -ne 1 ]; then
  echo "exit status $status, expected 1"
  failed=1
fi
if [ -s "$folder/stdout" ]; then
  echo "unexpected report on stdout:"
  head -5 "$folder/stdout"
  failed=1
fi
if [ "$(cat "$folder/stderr")" != "$expected" ]; then
  echo "stderr was:"
  cat "$folder/stderr"
  echo "expected: $expected"
  failed=1
fi
exit $failed
