#!/usr/bin/env bash
# Builds the .deb, installs it with dpkg -i, runs the installed program (-h, --version, man -w,
# the sample report), removes it with dpkg -r and checks that none of its files is left.
#   deb_test.sh SOURCE_DIR WORK_DIR PROJECT_VERSION
# As root, on the machine itself when the package is not installed there already (CI);
# otherwise into a scratch dpkg root under WORK_DIR. Either way the package is removed on exit,
# also when a check fails. PA_DEB_TEST_SCRATCH=1 asks for the scratch root.
set -euo pipefail
source_dir=$1
work=$2
project_version=$3
mkdir -p "$work"

JOBS=2 PA_DEB_WORK="$source_dir/build-deb" "$source_dir/scripts/build-deb" "$work"
deb="$work/packet-analysis_${project_version}_$(dpkg-architecture -q DEB_HOST_ARCH).deb"
[[ -f $deb ]] || { echo "FAIL: no $deb" >&2; exit 1; }

root_args=()
prefix=""
if [[ -z ${PA_DEB_TEST_SCRATCH:-} && $(id -u) -eq 0 ]] && ! dpkg-query -W -f='${Status}' packet-analysis 2>/dev/null |
    grep -q installed; then
    echo "installing on this machine"
else
    prefix="$work/root"
    rm -rf "$prefix"
    mkdir -p "$prefix/var/lib/dpkg/info" "$prefix/var/lib/dpkg/updates"
    touch "$prefix/var/lib/dpkg/status"
    root_args=(--root="$prefix" --force-not-root --force-bad-path --force-depends)
    echo "installing into the scratch root $prefix"
fi
installed=false
cleanup() {
    if $installed; then dpkg "${root_args[@]}" --purge packet-analysis >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

dpkg "${root_args[@]}" -i "$deb"
installed=true
files=$(dpkg-query ${prefix:+--admindir="$prefix/var/lib/dpkg"} -L packet-analysis)
program="$prefix/usr/bin/packet-analysis"

# grep reads the whole help (no -q): with pipefail, a grep that quits at the first match can
# end the program by SIGPIPE before it has written the rest, which fails the pipeline.
"$program" -h | grep -- "--watch-host" >/dev/null || { echo "FAIL: $program -h" >&2; exit 1; }
first=$("$program" --version | head -1)
[[ $first == "packet-analysis $project_version ("*")" ]] || {
    echo "FAIL: --version says '$first'" >&2; exit 1; }
"$program" --version | grep -q '^libpcap version' || { echo "FAIL: --version: no libpcap" >&2; exit 1; }
page=$(MANPATH="$prefix/usr/share/man" man -w packet-analysis)
[[ $page == "$prefix/usr/share/man/man1/packet-analysis.1.gz" ]] || {
    echo "FAIL: man -w packet-analysis gives '$page'" >&2; exit 1; }
examples="$prefix/usr/share/doc/packet-analysis/examples"
"$program" -q -c 0 -f "$examples/office.pcap" > "$work/report.txt"
diff -u "$examples/office.expected.txt" "$work/report.txt" || {
    echo "FAIL: the installed program's sample report differs from office.expected.txt" >&2
    exit 1; }
[[ -f $prefix/usr/share/bash-completion/completions/packet-analysis ]] || {
    echo "FAIL: no bash completion installed" >&2; exit 1; }

dpkg "${root_args[@]}" -r packet-analysis
installed=false
left=()
while IFS= read -r path; do
    [[ -z $path || -d $prefix$path ]] && continue
    [[ -e $prefix$path || -L $prefix$path ]] && left+=("$path")
done <<<"$files"
if ((${#left[@]} > 0)); then
    echo "FAIL: dpkg -r left ${left[*]}" >&2
    exit 1
fi
status=$(dpkg-query ${prefix:+--admindir="$prefix/var/lib/dpkg"} -W -f='${Status}' packet-analysis 2>/dev/null || true)
if [[ $status == *installed* && $status != *not-installed* && $status != *config-files* ]]; then
    echo "FAIL: dpkg still lists packet-analysis as '$status'" >&2
    exit 1
fi
dpkg "${root_args[@]}" --purge packet-analysis >/dev/null 2>&1 || true
echo "deb: installed, ran, man page found, sample report as expected, removed without leftovers"
