#!/usr/bin/env python3
"""Acceptance checks of packet-analysis-obfuscate, one sub-command per ctest test."""
import argparse
import concurrent.futures
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

STAMP = re.compile(r"^\d{8}_\d{6}$")
LOOKALIKE = re.compile(r"^[lIO][lI1O0]{11}$")
CPP_SUFFIXES = {".cpp", ".cc", ".cxx", ".hpp", ".h", ".hh", ".hxx", ".ipp", ".inl", ".tpp"}


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def run_tool(tool, args, cwd):
    done = subprocess.run([tool, *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        fail(f"{tool} {' '.join(args)} (in {cwd}) exited {done.returncode}:\n{done.stderr}")
    return done


def single_new_tree(parent):
    trees = [p for p in Path(parent).iterdir() if p.is_dir() and STAMP.match(p.name)]
    if len(trees) != 1:
        fail(f"expected one DDMMYYYY_HHMMSS folder in {parent}, found {[p.name for p in trees]}")
    report = parent / f"{trees[0].name}.keep.json"
    if not report.is_file():
        fail(f"no keep report {report}")
    return trees[0], report


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def cmd_runs(a):
    """Three runs: from / with absolute paths, from the build folder with the built-in
    defaults, and from a sub-folder with another seed."""
    work = Path(a.work)
    runs = {}
    # The sources change under the build: bring compile_commands.json and the original up to
    # date first.
    built = subprocess.run(["cmake", "--build", a.build, "--target", "packet-analysis", "-j2"],
                           capture_output=True, text=True)
    if built.returncode != 0:
        fail(f"cannot bring {a.build} up to date:\n{built.stdout[-5000:]}\n{built.stderr}")
    out1 = fresh(work / "run1")
    run_tool(a.tool, ["--root", a.root, "-p", a.build, "--out", str(out1)], "/")
    runs["first"] = single_new_tree(out1)
    out2 = fresh(work / "run2")
    run_tool(a.tool, ["--out", os.path.relpath(out2, a.build)], a.build)
    runs["same_seed"] = single_new_tree(out2)
    out3 = fresh(work / "run3")
    sub = out3 / "sub" / "folder"
    sub.mkdir(parents=True)
    run_tool(a.tool, ["--seed", "another seed"], sub)
    runs["other_seed"] = single_new_tree(sub)
    (work / "runs.json").write_text(
        json.dumps({k: [str(t), str(r)] for k, (t, r) in runs.items()}, indent=2))
    for name, (tree, report) in runs.items():
        if report.resolve().is_relative_to(tree.resolve()):
            fail(f"the keep report {report} is inside the copy")
    print("runs:", {k: str(t) for k, (t, _) in runs.items()})


def load_runs(work):
    data = json.loads((Path(work) / "runs.json").read_text())
    return {k: (Path(t), Path(r)) for k, (t, r) in data.items()}


def build(source, binary_dir, configure_args, target):
    shutil.rmtree(binary_dir, ignore_errors=True)
    configure = subprocess.run(
        ["cmake", "-S", str(source), "-B", str(binary_dir), "-G", "Ninja", *configure_args],
        capture_output=True, text=True)
    if configure.returncode != 0:
        fail(f"configuring {source} failed:\n{configure.stdout}\n{configure.stderr}")
    built = subprocess.run(["cmake", "--build", str(binary_dir), "--target", target, "-j2"],
                           capture_output=True, text=True)
    if built.returncode != 0:
        fail(f"building {source} failed:\n{built.stdout[-20000:]}\n{built.stderr[-5000:]}")


def readme_build_commands(tree):
    """The first `sh` block of the copy's README: what a user types to build it."""
    readme = Path(tree) / "README.md"
    if not readme.is_file():
        fail(f"the copy has no README.md: {readme}")
    block = re.search(r"```sh\n(.*?)```", readme.read_text(), re.S)
    if not block or "cmake" not in block.group(1):
        fail(f"{readme} names no cmake commands in an sh block")
    return block.group(1)


def run_in_copy(tree, script, what):
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tree,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        fail(f"{what} in {tree} failed ({done.returncode}):\n{script}\n"
             f"{done.stdout[-20000:]}\n{done.stderr[-5000:]}")


def user_tree(work):
    """Where the copy is built as a user builds it: inside a copy of the written tree, which
    the other checks compare file by file and so must stay as the tool wrote it."""
    return Path(work) / "as-user"


def copy_binaries(work):
    """The programs built by the README's commands and by the release preset."""
    tree = user_tree(work)
    return {"readme": tree / "build" / "packet-analysis",
            "preset": tree / "build-release" / "packet-analysis"}


def cmd_build_copy(a):
    """Builds the copy as a user would: the README's plain commands, then the presets."""
    written, _ = load_runs(a.work)["first"]
    tree = user_tree(a.work)
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(written, tree)
    run_in_copy(tree, readme_build_commands(tree), "the README's build commands")
    listed = subprocess.run(["cmake", "--list-presets"], cwd=tree, capture_output=True, text=True)
    for preset in ["dev", "release", "asan-ubsan"]:
        if f'"{preset}"' not in listed.stdout:
            fail(f"the copy's presets lack {preset}:\n{listed.stdout}{listed.stderr}")
    run_in_copy(tree, "cmake --preset release && cmake --build --preset release -j 2",
                "the release preset")
    for how, binary in copy_binaries(a.work).items():
        if not os.access(binary, os.X_OK):
            fail(f"building with the {how} did not make {binary}")
    print("built", *copy_binaries(a.work).values())


def run_as(binary, args, timeout):
    try:
        done = subprocess.run(["packet-analysis", *args], executable=binary, capture_output=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        return done.stdout, done.stderr, done.returncode
    except subprocess.TimeoutExpired:
        return b"", b"", "timeout"


def cmd_behaviour(a):
    original = a.original
    copies = [str(b) for b in copy_binaries(a.work).values()]
    captures = sorted(Path(a.corpus).iterdir())
    if not captures:
        fail(f"no captures in {a.corpus}")
    cases = []
    for capture in captures:
        c = str(capture)
        cases += [["-c", "0", "-f", c], ["-c", "0", "--format", "json", "-f", c],
                  ["-c", "0", "-g", "74.125.95.104", "-d", "-f", c],
                  ["-c", "0", "--watch-host", "www.espn.com", "-f", c]]
    cases += [["-h"], ["--no-such-option"], ["-c", "0", "-f", "/nonexistent/missing.pcap"],
              ["-f", str(captures[0])]]

    def compare(args):
        timeout = 30 if "-c" not in args else 120
        want = run_as(original, args, timeout)
        return args, want, [run_as(copy, args, timeout) for copy in copies]

    differences = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for args, want, gots in pool.map(compare, cases):
            differences += [(args, want, got) for got in gots if got != want]
    for args, want, got in differences[:5]:
        print("differs:", " ".join(args))
        print("  original:", want[2], want[0][:300], want[1][:300])
        print("  copy:    ", got[2], got[0][:300], got[1][:300])
    if differences:
        fail(f"{len(differences)} of {len(cases) * len(copies)} runs differ")
    print(f"{len(cases)} runs of each of {len(copies)} copies give the original's stdout, "
          "stderr and exit status")


def lex(text):
    """Yields ('comment', text) and ('identifier', name) outside string and char literals."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i) or text.startswith("/*", i):
            yield "comment", text[i:i + 40]
            end = text.find("\n" if text[i + 1] == "/" else "*/", i + 2)
            i = n if end < 0 else end + 2
        elif c.isalpha() or c == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            word = text[i:j]
            if j < n and text[j] == '"' and word in ("R", "u8R", "uR", "UR", "LR"):
                close = text.index("(", j)
                delimiter = ")" + text[j + 1:close] + '"'
                i = text.index(delimiter, close) + len(delimiter)
                continue
            if j < n and text[j] in "\"'" and word in ("u8", "u", "U", "L"):
                i = j
                continue
            yield "identifier", word
            i = j
        elif c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_.'" or
                             (text[j] in "+-" and text[j - 1] in "eEpP")):
                j += 1
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        else:
            i += 1


def read_allowlist(path):
    names = set()
    for line in Path(path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(line)
    return names


def check_leaks(tree, report_path, allowlist_path):
    report = json.loads(Path(report_path).read_text())
    declared = set(report["declared"])
    reasons = {**report.get("renamed_except_some_uses", {}), **report.get("kept", {})}
    allowed = read_allowlist(allowlist_path)
    comments, leaks = [], {}
    files = [p for p in sorted(Path(tree).rglob("*")) if p.suffix in CPP_SUFFIXES]
    if not files:
        fail(f"no sources in {tree}")
    for path in files:
        for kind, text in lex(path.read_text()):
            if kind == "comment":
                comments.append(f"{path.relative_to(tree)}: {text!r}")
            elif len(text) >= 4 and text in declared and text not in allowed:
                leaks.setdefault(text, str(path.relative_to(tree)))
    if comments:
        fail("comments left in the copy:\n  " + "\n  ".join(comments[:20]))
    if leaks:
        lines = [f"{name}  # {'; '.join(reasons.get(name, ['?']))} (e.g. {where})"
                 for name, where in sorted(leaks.items())]
        fail(f"declared names kept in the copy but not in the reviewed {allowlist_path}; "
             "review them, then add them:\n" + "\n".join(lines))
    print(f"{len(files)} files: no comments, no unreviewed declared name")


def cmd_leaks(a):
    tree, report = load_runs(a.work)["first"]
    check_leaks(tree, report, a.allowlist)


def tree_files(tree):
    return sorted(str(p.relative_to(tree)) for p in Path(tree).rglob("*") if p.is_file())


def lookalikes(tree):
    names = set()
    for p in Path(tree).rglob("*"):
        if p.suffix in CPP_SUFFIXES:
            names |= {w for k, w in lex(p.read_text()) if k == "identifier" and LOOKALIKE.match(w)}
    return names


def cmd_deterministic(a):
    runs = load_runs(a.work)
    first, same, other = runs["first"][0], runs["same_seed"][0], runs["other_seed"][0]
    if tree_files(first) != tree_files(same):
        fail("two runs with one seed wrote different file lists")
    _, mismatch, errors = filecmp.cmpfiles(first, same, tree_files(first), shallow=False)
    if mismatch or errors:
        fail(f"two runs with one seed differ in {mismatch + errors}")
    if tree_files(first) != tree_files(other):
        fail("another seed wrote a different file list")
    a_names, b_names = lookalikes(first), lookalikes(other)
    if not a_names or len(a_names & b_names) > len(a_names) // 20:
        fail(f"another seed gave {len(a_names & b_names)} of {len(a_names)} names again")
    print(f"same seed: identical trees; another seed: {len(a_names)} new names, "
          f"{len(a_names & b_names)} shared")


def cmd_fixture(a):
    work = fresh(Path(a.work) / "fixture")
    build(a.fixture, work / "original-build", [], "fixture")
    out = fresh(work / "out")
    run_tool(a.tool, ["--root", a.fixture, "-p", str(work / "original-build"), "--out", str(out)],
             "/")
    tree, report = single_new_tree(out)
    check_leaks(tree, report, Path(a.fixture) / "allowlist.txt")
    build(tree, work / "copy-build", [], "fixture")
    want = subprocess.run([str(work / "original-build" / "fixture")], capture_output=True)
    got = subprocess.run([str(work / "copy-build" / "fixture")], capture_output=True)
    if (want.stdout, want.stderr, want.returncode) != (got.stdout, got.stderr, got.returncode):
        fail(f"fixture output differs:\n{want.stdout.decode()}\n---\n{got.stdout.decode()}")
    kept = json.loads(report.read_text())["kept"]
    for name in ["host_name", "port_number", "what", "swap", "parse", "format",
                 "fixture_compare_ints", "main", "hits", "utsname"]:
        if name not in kept:
            fail(f"fixture: {name} should keep its spelling; kept: {sorted(kept)}")
    for needle in ["own swap called", '"host_name":"example.org"', "point <3|-4>",
                   "counter.hits + counter.misses = 7", "// not a comment /* nor this */",
                 "system named 1"]:
        if needle not in want.stdout.decode():
            fail(f"fixture output lacks {needle!r}")
    print("fixture builds with -Werror and prints the same after obfuscation")


def cmd_refusals(a):
    work = fresh(Path(a.work) / "refusals")
    refuse = Path(a.fixture) / "refuse"
    cases = {"line.cpp": r"line\.cpp:3:\d+: uses __LINE__",
             "func.cpp": r"func\.cpp:3:\d+: uses __func__",
             "parse_error.cpp": r"parse error.*parse_error\.cpp:1:\d+: error: use of undeclared"}
    for source, expected in cases.items():
        root = fresh(work / source.replace(".", "_"))
        (root / "src").mkdir()
        shutil.copy(refuse / source, root / "src" / source)
        (root / "CMakeLists.txt").write_text("project(refuse CXX)\n")
        (root / "build").mkdir()
        (root / "build" / "compile_commands.json").write_text(json.dumps([{
            "directory": str(root), "file": str(root / "src" / source),
            "command": f"c++ -std=c++20 -c {root / 'src' / source}"}]))
        out = root / "out"
        done = subprocess.run([a.tool, "--root", str(root), "-p", str(root / "build"), "--out",
                               str(out)],
                              capture_output=True, text=True)
        if done.returncode == 0 or not re.search(expected, done.stderr):
            fail(f"{source}: expected a refusal matching {expected!r}, got "
                 f"{done.returncode}: {done.stderr}")
        if out.exists() and any(out.iterdir()):
            fail(f"{source}: the refused run wrote {list(out.iterdir())}")
    # An existing folder is never overwritten.
    root = work / "line_cpp"
    (root / "src" / "line.cpp").write_text("int main() { return 0; }\n")
    (root / "out" / "taken").mkdir(parents=True)
    done = subprocess.run([a.tool, "--root", str(root), "-p", str(root / "build"), "--out",
                           str(root / "out"), "--name", "taken"], capture_output=True, text=True)
    if done.returncode == 0 or "already exists" not in done.stderr:
        fail(f"an existing folder was not refused: {done.returncode} {done.stderr}")
    helped = subprocess.run([a.tool, "-h"], capture_output=True, text=True)
    for option in ["--root", "--build", "--out", "--seed", "--report", "--name", "--source-dir",
                   "--exclude", "--jobs"]:
        if option not in helped.stdout:
            fail(f"-h does not document {option}")
    print("refuses __LINE__, __func__, parse errors and existing folders; -h documents all")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command")
    parser.add_argument("--tool")
    parser.add_argument("--root")
    parser.add_argument("--build")
    parser.add_argument("--work")
    parser.add_argument("--original")
    parser.add_argument("--corpus")
    parser.add_argument("--allowlist")
    parser.add_argument("--fixture")
    a = parser.parse_args()
    {"runs": cmd_runs, "build-copy": cmd_build_copy, "behaviour": cmd_behaviour,
     "leaks": cmd_leaks, "deterministic": cmd_deterministic, "fixture": cmd_fixture,
     "refusals": cmd_refusals}[a.command](a)


if __name__ == "__main__":
    main()
