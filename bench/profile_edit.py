#!/usr/bin/env python3
"""Where a one-line edit's time goes in the analysis core (no LSP): phases, GC, cProfile.

Uses the same generated scripts and edit plan as lsp_bench.py. Warms the parse cache
with one analysis of the text, then analyses N edited versions (one line each), each from
the analysis of the version before it, as the server does.

    .venv/bin/python bench/profile_edit.py --lines 10000 --edits 15 [--kind dense] [--cprofile 25]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lsp_bench as bench  # noqa: E402

from kerasls.analysis import analyze  # noqa: E402
from kerasls.analysis.analyze import _finish, run_rules  # noqa: E402
from kerasls.analysis.settings import Settings  # noqa: E402
from kerasls.engine import interpret  # noqa: E402
from kerasls.engine.runtime import resolve  # noqa: E402
from kerasls.engine.shapes import summarize_models  # noqa: E402
from kerasls.engine.trainings import pair_trainings  # noqa: E402
from kerasls.filesystem import FileSystemHost  # noqa: E402
from kerasls.knowledge import keras  # noqa: E402
from kerasls.rules.api import Context  # noqa: E402
from kerasls.text.source import Source, chunk_boundaries, split_lines  # noqa: E402


def edited_texts(text: str, count: int) -> list[str]:
    lines = text.split("\n")
    out = []
    for index, (_, site) in enumerate(bench.plan_edits(text, count, seed=bench.SEED + 7 * len(lines))):
        line = lines[site.line]
        current = line[site.start :].split(",")[0].split(")")[0].strip()
        new = f"{current}{index}" if "." in current else str(int(current) + 1000 + index)
        lines[site.line] = line[: site.start] + new + line[site.start + len(current) :]
        out.append("\n".join(lines))
    return out


def phases(text: str, host, knowledge, settings, previous=None) -> dict[str, float]:
    p: dict[str, float] = {}
    t = time.perf_counter()
    lines = split_lines(text)
    p["split_lines"] = time.perf_counter() - t
    t = time.perf_counter()
    chunk_boundaries(lines)
    p["chunk_boundaries"] = time.perf_counter() - t
    t = time.perf_counter()
    source = Source(text, previous=previous.source if previous is not None else None)
    p["Source() (split + cut + parse edited chunk)"] = time.perf_counter() - t
    t = time.perf_counter()
    facts = interpret(source, knowledge, host, previous.facts if previous is not None else None)
    p["interpret"] = time.perf_counter() - t
    t = time.perf_counter()
    runtime = resolve(host.installation(), facts.imports, facts.environ)
    trainings = pair_trainings(facts, knowledge)
    summaries = summarize_models(facts.models, trainings, knowledge, not facts.trainable_unknown)
    p["resolve + pair_trainings + summaries"] = time.perf_counter() - t
    t = time.perf_counter()
    diagnostics, _ = run_rules(Context(source, knowledge, runtime, facts, trainings, summaries), settings)
    p["run_rules"] = time.perf_counter() - t
    t = time.perf_counter()
    _finish(diagnostics, text, settings)
    p["_finish"] = time.perf_counter() - t
    return p


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--kind", choices=sorted(bench.SCRIPT_KINDS), default="mixed", help="which generated script")
    parser.add_argument("--cprofile", type=int, default=25, metavar="N", help="rows of cProfile output (0: skip)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kerasls-profile-") as tmp:
        root = Path(tmp)
        bench.make_data_tree(root)
        host = FileSystemHost(root / "script.py", root)
        text = bench.SCRIPT_KINDS[args.kind](args.lines, seed=bench.SEED + args.lines)
        texts = edited_texts(text, args.edits)
        knowledge, settings = keras(), Settings()

        start = time.perf_counter()
        base = analyze(text, host=host)
        chain = [base]  # the analysis of the version before each edit, as the server keeps it
        for edited in texts[:-1]:
            chain.append(analyze(edited, host=host, previous=chain[-1]))
        print(f"{args.lines} lines; cold analysis (empty parse cache): {(time.perf_counter() - start) * 1000:.0f} ms\n")

        # 1. GC on (as in the server): whole analyses, and the time spent in gen-2 collections.
        gc_ms: list[float] = []
        began = [0.0]

        def on_gc(phase, info):
            if phase == "start":
                began[0] = time.perf_counter()
            elif info["generation"] == 2:
                gc_ms.append((time.perf_counter() - began[0]) * 1000)

        gc.callbacks.append(on_gc)
        with_gc = []
        for edited, before in zip(texts, chain):
            start = time.perf_counter()
            analyze(edited, host=host, previous=before)
            with_gc.append((time.perf_counter() - start) * 1000)
        gc.callbacks.remove(on_gc)
        print(
            f"analyze() per one-line edit, GC on:  median {statistics.median(with_gc):.0f} ms, "
            f"max {max(with_gc):.0f} ms; {len(gc_ms)} gen-2 collections over {len(texts)} edits, "
            f"{statistics.median(gc_ms) if gc_ms else 0:.0f} ms each (median)"
        )

        # 2. GC off: the analysis's own work, by phase.
        gc.collect()
        gc.disable()
        rows = [phases(edited, host, knowledge, settings, before) for edited, before in zip(texts, chain)]
        total = statistics.median(sum(r.values()) - r["split_lines"] - r["chunk_boundaries"] for r in rows)
        print(f"analyze() per one-line edit, GC off: median {total * 1000:.0f} ms, by phase (median ms):")
        for key in rows[0]:
            value = statistics.median(r[key] for r in rows)
            indent = "    (inside Source) " if key in ("split_lines", "chunk_boundaries") else "  "
            print(f"{indent}{key:44s} {value * 1000:7.1f}")
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        analyze(texts[-1], host=host, previous=chain[-1])
        gc.collect()
        kinds: dict[str, int] = {}
        for obj in gc.garbage:
            kinds[type(obj).__name__] = kinds.get(type(obj).__name__, 0) + 1
        top = sorted(kinds.items(), key=lambda kv: -kv[1])[:8]
        print(
            f"\n{len(gc.garbage):,} objects per analysis are freed only by the cyclic GC; most common: "
            + ", ".join(f"{k} {v:,}" for k, v in top)
        )
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()

        # 3. cProfile (inflates times ~3x; read it for shares, not absolutes).
        if args.cprofile:
            gc.collect()
            gc.disable()
            profile = cProfile.Profile()
            profile.enable()
            for edited, before in zip(texts, chain):
                analyze(edited, host=host, previous=before)
            profile.disable()
            gc.enable()
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out)
            stats.sort_stats("cumulative").print_stats(args.cprofile)
            stats.sort_stats("tottime").print_stats(args.cprofile)
            print("\n" + out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
