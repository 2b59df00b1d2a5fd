#!/usr/bin/env python3
"""Fails when an option or subcommand that a program's -h shows has no entry in its man page.

    man_matches_help.py --man man/packet-analysis.1 -- build/packet-analysis [serve] [consume]

Runs PROGRAM -h, and PROGRAM SUB -h for every SUB named after it, and collects every spelling
of every option (CLI11 lists them comma-separated at the start of a line: `-f,-r,--file`) and
the subcommands. Each must appear in a tag line of the man page: the line after `.TP`, where
an entry names its option. The failure message names every one that is missing.
"""
import argparse
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z0-9][A-Za-z0-9_-]*)")


def help_text(command):
    done = subprocess.run(command + ["-h"], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} -h exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def options_and_subcommands(text):
    """The option spellings and subcommand names a CLI11 help text lists."""
    options, subcommands = [], []
    section = None
    for line in text.splitlines():
        if line and not line.startswith(" "):
            section = line.rstrip(":") if line.endswith(":") else None
            continue
        entry = line.strip()
        if not entry:
            continue
        first = entry.split()[0]
        if section == "Options" and line.startswith("  -"):
            options += [name for name in first.split(",") if name.startswith("-")]
        elif section == "Subcommands" and line.startswith("  ") and not line.startswith("   "):
            subcommands.append(first)
    return options, subcommands


def plain(roff):
    """A roff line as the reader sees its words: fonts dropped, \\- as -, \\e as \\."""
    text = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", roff)
    text = text.replace("\\-", "-").replace("\\e", "\\").replace("\\&", "")
    return text


def tag_words(man_text):
    """Every option spelling and bare word in the man page's .TP tag lines."""
    lines = man_text.splitlines()
    words = set()
    for i, line in enumerate(lines[:-1]):
        if line.strip() == ".TP":
            tag = plain(lines[i + 1])
            words.update(OPTION.findall(tag))
            words.update(w for w in re.findall(r"[A-Za-z][\w-]*", tag))
    return words


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--man", required=True, help="the man page source")
    parser.add_argument("program", nargs="+", help="PROGRAM [SUBCOMMAND...]")
    args = parser.parse_args()
    program, subs = args.program[0], args.program[1:]

    with open(args.man, encoding="utf-8") as f:
        documented = tag_words(f.read())

    options, listed_subcommands = options_and_subcommands(help_text([program]))
    missing = [(name, "") for name in options if name not in documented]
    missing += [(name, " (subcommand)") for name in listed_subcommands if name not in documented]
    for sub in subs:
        if sub not in listed_subcommands:
            sys.exit(f"{program} -h lists no subcommand {sub!r} (it lists {listed_subcommands})")
        sub_options, _ = options_and_subcommands(help_text([program, sub]))
        missing += [(name, f" ({sub})") for name in sub_options if name not in documented]
    if not options:
        sys.exit(f"{program} -h lists no options: cannot check {args.man}")

    seen = set()
    missing = [m for m in missing if not (m in seen or seen.add(m))]
    if missing:
        names = ", ".join(name + where for name, where in missing)
        print(f"{args.man} has no entry (.TP tag line) for: {names}", file=sys.stderr)
        print("Add one .TP entry per option to the man page.", file=sys.stderr)
        return 1
    count = len(set(options)) + len(listed_subcommands)
    print(f"{args.man}: all {count} options and subcommands of {program} -h have an entry")
    return 0


if __name__ == "__main__":
    sys.exit(main())
