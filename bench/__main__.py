"""Run the benchmarks and print one table of figures, goals and ratios."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from bench import Result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("areas", nargs="*", help="areas to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller data sets, fewer rounds")
    args = parser.parse_args(argv)
    here = Path(__file__).parent
    areas = sorted(
        m.name[len("bench_") :]
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )
    chosen = args.areas or areas
    results: list[Result] = []
    for area in chosen:
        if area not in areas:
            print(f"unknown area {area!r}; choose from {', '.join(areas)}", file=sys.stderr)
            return 2
        print(f"running {area} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"bench.bench_{area}")
        results.extend(module.run(args.quick))
    print_table(results)
    return 1 if any(r.ok is False for r in results) else 0


def print_table(results: list[Result]) -> None:
    header = ("area", "benchmark", "figure", "goal", "ratio", "")
    rows = [header]
    for r in results:
        goal = "" if r.goal is None else f"<= {r.goal:g} {r.unit}"
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
        verdict = "" if r.ok is None else ("ok" if r.ok else "MISSED")
        rows.append(
            (
                r.area,
                r.name + (f" ({r.note})" if r.note else ""),
                f"{r.value:,.3f} {r.unit}",
                goal,
                ratio,
                verdict,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    sys.exit(main())
