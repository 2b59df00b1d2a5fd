# bash completion for packet-analysis, packet-analysis-generate and packet-analysis-obfuscate.
#
# The options, the subcommands and the values an option takes ({text,json,csv,html} after --format)
# are read from the program's own -h each time, so the completion follows the program that
# is installed; interfaces for -i come from -D, files for the options that take files.

# The help text of the program as typed, and of its subcommand if one is given.
_packet_analysis_help() {
    "$@" -h 2>/dev/null
}

# Every spelling of every option in the help text on stdin (CLI11: "  -f,-r,--file TYPE").
_packet_analysis_options() {
    sed -n '/^Options:/,/^[^ ]/{s/^  \(-[^ ]*\).*/\1/p}' | tr ',' '\n'
}

_packet_analysis_subcommands() {
    sed -n '/^Subcommands:/,/^[^ ]/{s/^  \([a-z][^ ]*\) .*/\1/p}'
}

# The help line of option $1 in the help text on stdin.
_packet_analysis_option_line() {
    grep -E -m1 -- "^  ([^ ]*,)?$1([ ,]|\$)"
}

_packet_analysis_interfaces() {
    local names
    names=$("$1" -D 2>/dev/null | sed -n 's/^[0-9]*\.\([^ ]*\).*/\1/p')
    if [[ -z $names ]]; then
        names="any $(command ls /sys/class/net 2>/dev/null)"
    fi
    printf '%s\n' $names
}

_packet_analysis_files() {
    compopt -o filenames 2>/dev/null
    local IFS=$'\n'
    COMPREPLY=($(compgen -f -- "$1"))
}

_packet_analysis() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    local program=${COMP_WORDS[0]/#\~/$HOME}
    COMPREPLY=()

    local top_help subcommands sub="" i s
    top_help=$(_packet_analysis_help "$program")
    subcommands=$(_packet_analysis_subcommands <<<"$top_help")
    for ((i = 1; i < COMP_CWORD; i++)); do
        for s in $subcommands; do
            [[ ${COMP_WORDS[i]} == "$s" ]] && sub=$s
        done
    done
    local help=$top_help
    [[ -n $sub ]] && help=$(_packet_analysis_help "$program" "$sub")

    # The value of the option before the cursor.
    if [[ $prev == -* ]]; then
        local line type values
        line=$(_packet_analysis_option_line "$prev" <<<"$help")
        if [[ $line =~ \{([^}]*)\} ]]; then
            values=${BASH_REMATCH[1]//,/ }
            COMPREPLY=($(compgen -W "$values" -- "$cur"))
            return
        fi
        # The option column ends at the first two spaces; a flag has no type in it.
        line=${line#  }
        read -r _ type _ <<<"${line%%  *}"
        case $prev:$type in
            *:INTERFACE | -i:* | --interface:*)
                COMPREPLY=($(compgen -W "$(_packet_analysis_interfaces "$program")" -- "$cur"))
                return
                ;;
            *:CAPTURE_FILE | *:FILE | -o:* | --output:* | --expected:* | --report:*)
                _packet_analysis_files "$cur"
                return
                ;;
            --root:* | -p:TEXT | --build:* | --out:* | --source-dir:* | --exclude:*)
                compopt -o dirnames 2>/dev/null
                COMPREPLY=($(compgen -d -- "$cur"))
                return
                ;;
            *:)
                ;;  # a flag: complete the next word as usual
            *)
                return  # a value nothing can guess: a port, a count, an address
                ;;
        esac
    fi

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_packet_analysis_options <<<"$help")" -- "$cur"))
        return
    fi
    # After -f FILE..., more files.
    for ((i = COMP_CWORD - 1; i > 0; i--)); do
        case ${COMP_WORDS[i]} in
            -f | -r | --file)
                _packet_analysis_files "$cur"
                return
                ;;
            -*) break ;;
        esac
    done
    if [[ -z $sub && -n $subcommands ]]; then
        COMPREPLY=($(compgen -W "$subcommands" -- "$cur"))
    fi
}

complete -F _packet_analysis packet-analysis packet-analysis-generate packet-analysis-obfuscate
