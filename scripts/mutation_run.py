"""Drive a cosmic-ray session over a deterministic sample of its mutants, within a wall-clock
budget, choosing the tests per mutated module (see scripts/mutation for the whole procedure).

Run from the scratch copy, after `cosmic-ray init`:

    python mutation_run.py SESSION.sqlite --seed 15 --budget-s 3600 --timeout-s 240 --out DIR

Order: the session's work items sorted by (module, position, operator, occurrence), shuffled
with random.Random(seed); they are run in that order until the budget is spent, so the mutants
tried are a uniform sample whose prefix is the same for the same seed and tree. Results go
into the session (cr-report reads them) and DIR/results.jsonl, one line a mutant.
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import os
import random
import re
import shlex
import sys
import time
from pathlib import Path

from cosmic_ray.mutating import mutate_and_test
from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkItem

# Where the tests for a mutant are looked for: the fast suites (no server processes, no
# browsers, no fuzzing; the -m filter below drops the slow and server tests inside them).
# tests/integration is left out: its sites of a year or more cost minutes a mutant here.
POOL = [
    "tests/unit/tariff", "tests/unit/web", "tests/unit/test_error_map.py",
    "tests/unit/test_wire_catalogue.py", "tests/unit/test_describe_site.py",
    "tests/unit/test_calendar_day_edges.py", "tests/unit/test_preset_descriptions.py",
    "tests/contract",
]
# Always run for a layer, after the files that name the module: its broad reply checks.
LAYER_TESTS = {
    "tariff": ["tests/unit/tariff", "tests/contract/test_tariff_http.py"],
    "api": ["tests/contract/test_api_basics.py", "tests/contract/test_reads.py",
            "tests/unit/test_error_map.py"],
    "services": ["tests/contract/test_reads.py", "tests/contract/test_commands.py"],
}
# Operators left out of the sample (none: every core operator counts).
SKIP_OPERATORS: tuple[str, ...] = ()

PYTEST = [
    sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-n", "0",
    "-o", "timeout=60", "--no-header", "-rfE", "--tb=line",
    "-m", "not slow and not server and not browser and not postgres",
]


def _pool_files() -> list[Path]:
    files: list[Path] = []
    for path in map(Path, POOL):
        files += sorted(path.rglob("test_*.py")) if path.is_dir() else [path]
    return files


def tests_for(module: str) -> list[str]:
    """The test files for a mutated source file: those in the pool that import the module or
    are named after it (with -x a kill is usually found in seconds), then its layer's."""
    path = Path(module.removeprefix("src/").removesuffix(".py"))
    dotted = ".".join(path.parts)
    parent, stem = ".".join(path.parts[:-1]), path.name
    imports = (dotted, f"from {parent} import {stem}")
    chosen = [str(f) for f in _pool_files()
              if any(i in f.read_text(encoding="utf-8") for i in imports)
              or (stem != "__init__" and len(stem) > 3 and stem in f.stem)]
    layer = next(v for k, v in LAYER_TESTS.items() if f"/{k}/" in module)
    return [*chosen, *[p for p in layer if p not in chosen]]


def command_for(module: str) -> str:
    return shlex.join([*PYTEST, *tests_for(module)])


@functools.cache
def annotation_spans(module: str) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
    """(start, end) positions (line, column) of the type annotations in a source file."""
    spans = []
    for node in ast.walk(ast.parse(Path(module).read_text(encoding="utf-8"))):
        notes = [getattr(node, "returns", None)]
        if isinstance(node, ast.arg | ast.AnnAssign):
            notes.append(node.annotation)
        spans += [((a.lineno, a.col_offset), (a.end_lineno or a.lineno, a.end_col_offset or 0))
                  for a in notes if a is not None]
    return tuple(spans)


def in_annotation(item: WorkItem) -> bool:
    """Mutants inside annotations (`int | None` -> `int - None`): every module starts with
    `from __future__ import annotations`, so they are never evaluated (pydantic models do
    evaluate theirs, and they are left out too: such a mutant breaks the import)."""
    m = item.mutations[0]
    return any(a <= tuple(m.start_pos) and tuple(m.end_pos) <= b
               for a, b in annotation_spans(str(m.module_path)))


def ordered(items: list[WorkItem], seed: int) -> list[WorkItem]:
    def key(item: WorkItem) -> tuple[str, tuple[int, int], str, int]:
        m = item.mutations[0]
        return (str(m.module_path), m.start_pos, m.operator_name, m.occurrence)

    chosen = sorted((i for i in items if i.mutations[0].operator_name not in SKIP_OPERATORS
                     and not in_annotation(i)), key=key)
    random.Random(seed).shuffle(chosen)
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("session")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--budget-s", type=float, default=3600.0)
    parser.add_argument("--timeout-s", type=float, default=240.0)
    parser.add_argument("--limit", type=int, default=None, help="at most this many mutants")
    parser.add_argument("--out", default="mutation-out")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with use_db(args.session, WorkDB.Mode.open) as db:
        done = {r[0] for r in db.results}
        items = ordered(list(db.work_items), args.seed)
        print(f"{len(items)} mutants in the session; seed {args.seed}", flush=True)
        with (out / "results.jsonl").open("a", encoding="utf-8") as log:
            for n, item in enumerate(items):
                if args.limit is not None and n >= args.limit:
                    break
                if time.monotonic() - started > args.budget_s:
                    print(f"budget spent after {n} mutants", flush=True)
                    break
                if item.job_id in done:
                    continue
                m = item.mutations[0]
                t0 = time.monotonic()
                result = mutate_and_test(item.mutations, command_for(str(m.module_path)), args.timeout_s)
                took = time.monotonic() - t0
                db.set_result(item.job_id, result)
                outcome = result.test_outcome.value if result.test_outcome else result.worker_outcome.value
                if result.test_outcome == TestOutcome.KILLED and result.output == "timeout":
                    outcome = "timeout"
                tail = (result.output or "")[-1500:]
                failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", result.output or "", re.M)
                log.write(json.dumps({
                    "n": n, "job_id": item.job_id, "module": str(m.module_path),
                    "operator": m.operator_name, "occurrence": m.occurrence,
                    "line": m.start_pos[0], "outcome": outcome, "seconds": round(took, 1),
                    "killed_by": failed[:1], "diff": result.diff,
                    "tail": tail if outcome == "survived" else "",
                }) + "\n")
                log.flush()
                print(f"{n:4d} {outcome:9s} {took:6.1f}s {m.module_path}:{m.start_pos[0]} "
                      f"{m.operator_name}", flush=True)
    print(f"wall {time.monotonic() - started:.0f} s; pid {os.getpid()}", flush=True)


if __name__ == "__main__":
    main()
