"""The report of ``pytest --cpu-report FILE`` (tests/conftest.py measures, this writes).

CPU seconds do not depend on the machine's load, so a run on a busy machine still tells how long
the suite takes on an idle one: with ``--dist loadfile`` a file's tests run on one worker, so the
idle wall time is about the longest worker's share when the files are dealt, in collection
order, to whichever worker is free first, plus each worker's own start-up (collection).
"""

import heapq
import json
from pathlib import Path


def _module(nodeid):
    return nodeid.partition("::")[0]


def deal(files, workers):
    """Each worker's CPU when the files, in this order, go to the worker that frees first."""
    loads = [(0.0, w) for w in range(workers)]
    for _, cpu in files:
        load, w = heapq.heappop(loads)
        heapq.heappush(loads, (load + cpu, w))
    return sorted(load for load, _ in loads)


def write(path, tests, workers, order):
    """Writes the JSON report to path and prints its summary (totals and the 15 costliest files)."""
    files = {}
    for nodeid in order:
        files[_module(nodeid)] = files.get(_module(nodeid), 0.0) + tests[nodeid]
    in_tests = sum(tests.values())
    total = sum(workers.values())
    start_up = max(0.0, (total - in_tests) / len(workers))   # collection and imports, per worker
    dealt = deal(list(files.items()), len(workers))
    estimate = dealt[-1] + start_up
    report = {
        "cpu_total": total, "cpu_in_tests": in_tests, "workers": workers,
        "start_up_per_worker": start_up, "idle_wall_estimate": estimate,
        "largest_file": max(files.values(), default=0.0),
        "files": dict(sorted(files.items(), key=lambda kv: -kv[1])),
        "tests": dict(sorted(tests.items(), key=lambda kv: -kv[1])),
    }
    Path(path).write_text(json.dumps(report, indent=1) + "\n")
    lines = [f"CPU {total / 60:.1f} min over {len(workers)} worker(s) ({in_tests / 60:.1f} in tests, "
             f"{start_up:.0f} s start-up each); idle wall on {len(workers)} cores about "
             f"{estimate / 60:.1f} min (workers dealt {', '.join(f'{d / 60:.1f}' for d in dealt)} min)"]
    lines += [f"{cpu:8.1f} s  {name}" for name, cpu in list(report["files"].items())[:15]]
    print("\n--cpu-report " + str(path) + "\n" + "\n".join(lines))
    return report
