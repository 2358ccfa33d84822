"""Benchmark `kerasls check` on a generated 300-file tree: cold, warm and uncached runs, one worker
or all cores, and ruff and pylint on the same tree. Wall-clock and CPU time (user + system of the
command and every process it started).

Usage:
    .venv/bin/python bench/cli_bench.py                 # full run (a few minutes; installs pylint in a temp venv)
    .venv/bin/python bench/cli_bench.py --quick         # 1 repetition, no pylint
    .venv/bin/python bench/cli_bench.py --files 300 --repeat 3 --json /tmp/cli_bench.json
    .venv/bin/python bench/cli_bench.py --keep-tree /tmp/tree   # write the tree there and keep it

The tree: the programs of examples/ and tests/fixtures/, each copied many times with its layer
widths, filter counts and epochs changed and a block of ordinary helper code of varying length
appended (so no two files are alike), in 12 packages, with the examples' class folders at the
root. Not a test: pytest does not collect it and CI does not run it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "examples").glob("*.py")) + sorted((ROOT / "tests" / "fixtures").glob("*.py"))
LAYER = re.compile(r"\b(Dense|Conv2D|Conv1D|LSTM|GRU|Embedding|SimpleRNN)\((\d{2,})")
EPOCHS = re.compile(r"\bepochs\s*=\s*(\d+)")


def helper_block(index: int, lines: int) -> str:
    """Ordinary Python after the Keras program: loops, dicts, string formatting."""
    out = [f"\n\ndef summarize_run_{index}(history, names):"]
    out.append('    """Report the metrics of a finished run."""')
    out.append("    rows = []")
    while len(out) < lines:
        k = len(out)
        out.append(f"    for key_{k}, values_{k} in sorted(history.items()):")
        out.append(f"        best_{k} = max(values_{k}) if values_{k} else None")
        out.append(f'        rows.append(f"{{key_{k}}}: {{best_{k}}} ({{len(values_{k})}} epochs, {{names!r}})")')
    out.append('    return "\\n".join(rows)')
    return "\n".join(out) + "\n"


def make_tree(root: Path, files: int) -> dict:
    shutil.copytree(ROOT / "examples" / "data", root / "data")
    total_lines = 0
    for i in range(files):
        source = SOURCES[i % len(SOURCES)]
        variant = i // len(SOURCES)
        text = source.read_text()
        text = LAYER.sub(lambda m, v=variant: f"{m[1]}({int(m[2]) + 8 * v}", text)
        text = EPOCHS.sub(lambda m, v=variant: f"epochs={int(m[1]) + v}", text)
        text += helper_block(i, 10 + (i * 37) % 150)
        folder = root / f"pkg_{i % 12:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{source.stem}_{variant:02d}.py").write_text(text)
        total_lines += text.count("\n")
    return {"files": files, "lines": total_lines}


def timed(command: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Wall and CPU seconds of a command (CPU of its whole process tree, as it is waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "status": result.returncode, "stdout": result.stdout, "stderr": result.stderr}


def measure(label: str, runs: int, command: list[str], cwd: Path, before_each=None, env=None) -> dict:
    samples = []
    for _ in range(runs):
        if before_each is not None:
            before_each()
        samples.append(timed(command, cwd, env))
    if samples[0]["status"] not in (0, 1):
        print(f"  ! {label}: exit {samples[0]['status']}: {samples[0]['stderr'][-500:]}", file=sys.stderr)
    row = {
        "label": label,
        "command": " ".join(command),
        "runs": runs,
        "wall": statistics.median(s["wall"] for s in samples),
        "cpu": statistics.median(s["cpu"] for s in samples),
        "status": samples[0]["status"],
        "stdout": samples[0]["stdout"],
    }
    print(f"  {label:<48} wall {row['wall']:7.2f} s   cpu {row['cpu']:7.2f} s   (exit {row['status']})")
    return row


def pylint_venv(folder: Path) -> Path:
    """A virtualenv with pylint only (the bench's own; the project does not depend on pylint)."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", "pylint"]
    subprocess.run(pip, check=True)
    return folder / "bin" / "pylint"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--quick", action="store_true", help="one run each, no pylint")
    parser.add_argument("--skip-pylint", action="store_true")
    parser.add_argument("--keep-tree", type=Path, help="write the tree here and keep it")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON")
    args = parser.parse_args()
    runs = 1 if args.quick else args.repeat
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    with tempfile.TemporaryDirectory(prefix="kerasls-cli-bench-") as scratch:
        scratch = Path(scratch)
        tree = args.keep_tree or scratch / "tree"
        if tree.exists():
            shutil.rmtree(tree)
        tree.mkdir(parents=True)
        size = make_tree(tree, args.files)
        cache = scratch / "kerasls-cache"
        env = {key: value for key, value in os.environ.items() if not key.startswith("KERASLS_")}
        env["NO_COLOR"] = "1"
        kerasls = [sys.executable, "-m", "kerasls", "check", "-q", "--cache-dir", str(cache)]
        load = os.getloadavg()[0]
        print(f"kerasls check on {size['files']} files, {size['lines']:,} lines; {cores} CPUs; load {load:.2f}")

        def clear_cache():
            shutil.rmtree(cache, ignore_errors=True)

        rows = [
            measure("kerasls, cold cache, --jobs all", runs, kerasls + ["."], tree, clear_cache, env),
            measure("kerasls, warm cache, --jobs all", runs, kerasls + ["."], tree, None, env),
        ]
        edited = tree / "pkg_00" / sorted(p.name for p in (tree / "pkg_00").iterdir())[0]

        def touch_one():
            edited.write_text(edited.read_text() + f"\n# edited {time.time_ns()}\n")

        rows.append(measure("kerasls, warm cache, 1 file edited", runs, kerasls + ["."], tree, touch_one, env))
        rows.append(measure("kerasls, --no-cache, --jobs all", runs, kerasls + ["--no-cache", "."], tree, None, env))
        rows.append(
            measure("kerasls, --no-cache, --jobs 1", runs, kerasls + ["--no-cache", "-j", "1", "."], tree, None, env)
        )
        ruff_cache = scratch / "ruff-cache"
        ruff = [sys.executable, "-m", "ruff", "check", "--exit-zero", "--quiet", "--isolated"]
        rows.append(
            measure("ruff check (default rules), --no-cache", runs, ruff + ["--no-cache", "."], tree, None, env)
        )
        rows.append(
            measure(
                "ruff check, warm cache",
                runs,
                ruff + ["--cache-dir", str(ruff_cache), "."],
                tree,
                lambda: subprocess.run(ruff + ["--cache-dir", str(ruff_cache), "."], cwd=tree, capture_output=True),
                env,
            )
        )
        if not (args.quick or args.skip_pylint):
            print("  (installing pylint into a temporary virtualenv)")
            pylint = pylint_venv(scratch / "pylint-venv")
            version = subprocess.run([str(pylint), "--version"], capture_output=True, text=True).stdout.split("\n")[0]
            lint = [str(pylint), "--exit-zero", "--recursive=y", "--score=n", "--persistent=n"]
            rows.append(measure(f"{version}, --jobs 0 (all)", runs, lint + ["--jobs=0", "."], tree, None, env))
            rows.append(measure(f"{version}, --jobs 1", 1, lint + ["--jobs=1", "."], tree, None, env))

        findings = rows[0]["stdout"].count("\n    fix:")
        same = rows[0]["stdout"] == rows[1]["stdout"] == rows[3]["stdout"] == rows[4]["stdout"]
        print(f"  kerasls output identical cold / warm / --no-cache / --jobs 1: {same}")
        report = {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": cores,
            "load_start": load,
            "load_end": os.getloadavg()[0],
            "tree": size,
            "fix_lines_in_output": findings,
            "identical_outputs": same,
            "rows": [{k: v for k, v in row.items() if k != "stdout"} for row in rows],
        }
        print()
        print(markdown(report))
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
    return 0


def markdown(report: dict) -> str:
    rows = report["rows"]
    cold = rows[0]
    out = [
        f"## `kerasls check` benchmark (cli_bench.py; Python {report['python']}, {report['cpus']} CPUs)",
        "",
        f"A generated tree of {report['tree']['files']} Keras scripts, {report['tree']['lines']:,} lines. "
        f"Load average (1 min) at start / end: {report['load_start']:.2f} / {report['load_end']:.2f}. "
        "Median of the runs; CPU is user + system time of the command and all its processes.",
        "",
        "| command | runs | wall s | CPU s | wall vs cold kerasls |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        out.append(
            f"| {row['label']} | {row['runs']} | {row['wall']:.2f} | {row['cpu']:.2f} | {row['wall'] / cold['wall']:.2f}× |"
        )
    out.append("")
    out.append(f"kerasls output identical cold / warm / --no-cache / --jobs 1: {report['identical_outputs']}.")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
