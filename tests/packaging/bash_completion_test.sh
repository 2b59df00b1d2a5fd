#!/usr/bin/env bash
# The bash completion, sourced as bash-completion would load it, against the built programs:
#   bash_completion_test.sh COMPLETION_FILE PROGRAM_DIR GENERATOR_DIR
# It must register for packet-analysis, and offer the --format values, options, subcommands,
# interfaces and files that the programs themselves name.
set -uo pipefail
completion=$1
export PATH="$2:$3:$PATH"

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# Candidates for the words given, the last being the one under the cursor.
candidates() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _packet_analysis
    printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect() {  # expect "WHAT" "EXPECTED LINES" "ACTUAL LINES"
    if [[ $2 != "$3" ]]; then
        fail "$1: expected [$(echo $2)], got [$(echo $3)]"
    fi
}

if [[ -r /usr/share/bash-completion/bash_completion ]]; then
    source /usr/share/bash-completion/bash_completion
fi
source "$completion"

registered=$(complete -p packet-analysis 2>&1)
expect "complete -p packet-analysis" "complete -F _packet_analysis packet-analysis" "$registered"
for program in packet-analysis-generate packet-analysis-obfuscate; do
    complete -p "$program" >/dev/null 2>&1 || fail "no completion registered for $program"
done

# --format: the values the program's -h lists for it ({text,json} today), whatever they are.
help=$(packet-analysis -h)
formats=$(grep -E -- '--format' <<<"$help" | grep -o '{[^}]*}' | tr -d '{}' | tr ',' '\n' | sort)
[[ -n $formats ]] || fail "packet-analysis -h lists no --format values"
grep -qx text <<<"$formats" && grep -qx json <<<"$formats" || fail "-h --format values: $formats"
expect "packet-analysis --format <TAB>" "$formats" "$(candidates packet-analysis --format '')"
expect "packet-analysis serve --format j<TAB>" "json" "$(candidates packet-analysis serve --format j)"
expect "packet-analysis --group-by <TAB>" "$(printf '%s\n' name registrable-domain tld)" \
    "$(candidates packet-analysis --group-by '')"
expect "packet-analysis --format c<TAB>" "csv" "$(candidates packet-analysis --format c)"
generator_formats=$(printf '%s\n' pcap pcap-ns pcapng)
expect "packet-analysis-generate --format <TAB>" "$generator_formats" \
    "$(candidates packet-analysis-generate --format '')"

# Options: every spelling -h shows, and those of the subcommand once it is typed.
all_options=$(sed -n '/^Options:/,/^[^ ]/{s/^  \(-[^ ]*\).*/\1/p}' <<<"$help" | tr ',' '\n' | sort)
[[ $(wc -l <<<"$all_options") -ge 20 ]] || fail "too few options in -h: $all_options"
expect "packet-analysis -<TAB>" "$all_options" "$(candidates packet-analysis -)"
expect "packet-analysis --wat<TAB>" "$(printf '%s\n' --watch-host --watch-port)" \
    "$(candidates packet-analysis --wat)"
expect "packet-analysis consume --con<TAB>" "$(printf '%s\n' --connect --connections)" \
    "$(candidates packet-analysis consume --con)"
expect "packet-analysis serve --con<TAB>" "--connections" "$(candidates packet-analysis serve --con)"

# Subcommands, also after a flag; none once one is given.
expect "packet-analysis <TAB>" "$(printf '%s\n' consume serve)" "$(candidates packet-analysis '')"
expect "packet-analysis -q s<TAB>" "serve" "$(candidates packet-analysis -q s)"
expect "packet-analysis serve <TAB>" "" "$(candidates packet-analysis serve '')"

# Files for -f (and after one), none for a value like a port.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
touch "$scratch/monday.pcap" "$scratch/monday.pcapng.gz" "$scratch/other"
expect "packet-analysis -f DIR/mon<TAB>" \
    "$(printf '%s\n' "$scratch/monday.pcap" "$scratch/monday.pcapng.gz")" \
    "$(candidates packet-analysis -f "$scratch/mon")"
expect "packet-analysis -f DIR/monday.pcap DIR/o<TAB>" "$scratch/other" \
    "$(candidates packet-analysis -f "$scratch/monday.pcap" "$scratch/o")"
expect "packet-analysis -p <TAB>" "" "$(candidates packet-analysis -p '')"

# Interfaces for -i: what -D lists, loopback and any among them.
interfaces=$(candidates packet-analysis -i '')
grep -qx lo <<<"$interfaces" || fail "packet-analysis -i <TAB> does not offer lo: $interfaces"
grep -qx any <<<"$interfaces" || fail "packet-analysis -i <TAB> does not offer any: $interfaces"

if ((failures > 0)); then
    echo "$failures completion check(s) failed" >&2
    exit 1
fi
echo "bash completion: all checks passed"
