"""Per-student variants: each derived and verified (symdl.solve.find) in a pool of processes, with derive's documents.

``generate(spec, count, seed)`` returns ``count`` Variants, each derived and verified, no two
with the same draws; ``out.write(...)`` (the ``variants`` command) writes them with derive's own
documents (symdl.variants.out). Variant ``n`` of seed ``S`` tries the draws of
``draws.attempt_seed(S, n, 0)``, ``(S, n, 1)``, ... until one meets every condition and differs
from the variants before it; at most solve.MAX_DRAWS draws per variant.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
from dataclasses import dataclass, field

import sympy

from symdl import solve
from symdl.derive import documents
from symdl.errors import SymdlError
from symdl.export import fragments
from symdl.solve import DEFAULT_TIME_LIMIT, prepare

WORKERS = 2             # processes deriving variants (the machine has 2 cores)
WINDOW = 4              # variants handed to each worker ahead of the one being collected


@dataclass
class Variant:
    """One variant: its number ("001"), the seed of its draws, a short hash, the exam and its results."""

    id: str
    seed: int
    digest: str
    exam: object
    results: list
    drawn: dict = field(default_factory=dict)      # "<question>.<field>" -> the value written in the spec
    sources: dict = field(default_factory=dict)    # derive's documents: file name -> text
    exported: dict = field(default_factory=dict)   # LMS target -> this variant's part (symdl.export.fragments)
    draws_tried: int = 1

    @property
    def label(self) -> str:
        return f"{self.id} ({self.digest})"


def generate(spec, count, seed, *, data_dirs=(), time_limit_s=DEFAULT_TIME_LIMIT, workers=WORKERS,
             progress=None) -> list:
    """``count`` variants of ``spec`` from ``seed``, each derived, verified and meeting [exam] require.

    Raises SpecError (bad draws, an unknown answer in a condition, a condition no draw met),
    VerificationFailed naming the variant whose check failed, UsageError for a bad count.
    """
    return list(iter_variants(prepare(spec, count, seed, data_dirs), time_limit_s=time_limit_s,
                              workers=workers, keep=True, render=False, progress=progress))


def iter_variants(drawn, *, time_limit_s=DEFAULT_TIME_LIMIT, workers=WORKERS, keep=True, render=True,
                  progress=None, export=(), multiple_choice=False, math=None):
    """Yield the variants of ``drawn`` (``solve.prepare``: the spec read once) in order; with ``render``
    each carries derive's documents in ``sources``, with ``export`` (LMS targets) its part of each
    export in ``exported``."""
    job = solve.job_for(drawn, time_limit_s, keep=keep, render=render, export=tuple(export),
                     multiple_choice=multiple_choice, math=math)
    count, seed = drawn.count, drawn.seed
    if workers <= 1 or count == 1:
        yield from _collect(count, seed, lambda n, start, *past: _Done(_made(job, n, seed, start, *past)), progress)
        return
    # the forked workers start warm: everything they run is imported at the top of this module
    context = multiprocessing.get_context("fork")
    pool = context.Pool(min(workers, count), initializer=_init, initargs=(job,))
    try:
        yield from _collect(count, seed, lambda n, start, *past: _Watched(pool, pool.apply_async(
            _task, (n, seed, start, *past))), progress, ahead=WINDOW * workers)
        pool.close()
        pool.join()
    finally:
        pool.terminate()


class _Watched:
    """An AsyncResult whose wait stops when a worker process dies (the pool would wait forever)."""

    def __init__(self, pool, result):
        self.pool, self.result = pool, result
        self.workers = {p.pid for p in pool._pool}

    def get(self):
        while not self.result.ready():
            self.result.wait(1.0)
            if not self.result.ready() and {p.pid for p in self.pool._pool} != self.workers:
                raise SymdlError("a process deriving variants died (out of memory?); no variant written")
        return self.result.get()


class _Done:
    """A result computed in this process, with the interface of an AsyncResult."""

    def __init__(self, value):
        self.value = value

    def get(self):
        return self.value


def _collect(count, seed, submit, progress, ahead=1):
    """Submit variants ``ahead`` of the one collected; keep each only when its draws are new.

    A variant whose draws repeat an earlier one is drawn again from its next attempt, told the draws
    taken so far (skipped before deriving) and what its earlier attempts met (for the error line)."""
    pending, taken, next_n = {}, set(), 1
    for n in range(1, count + 1):
        while next_n <= min(count, n + ahead - 1):
            pending[next_n] = submit(next_n, 0)
            next_n += 1
        found = _unpack(pending.pop(n).get())
        while found["digest"] in taken:          # the same draws as an earlier variant: draw again
            past = (frozenset(taken), found["unmet"], found["failing"], found["repeats"] + 1)
            found = _unpack(submit(n, found["attempt"] + 1, *past).get())
        taken.add(found["digest"])
        if progress:
            progress(f"variant {found['id']} ({found['digest']}): {found['attempt'] + 1} draw(s), verified")
        yield Variant(found["id"], found["seed"], found["digest"], found["exam"], found["results"],
                      drawn=found["drawn"], sources=found["sources"], exported=found["exported"],
                      draws_tried=found["attempt"] + 1)


def _unpack(found):
    if isinstance(found, bytes):                 # from a worker: pickled, SymPy trees kept as they were
        with sympy.evaluate(False):
            found = pickle.loads(found)
    if "error" in found:
        raise found["error"]
    return found


_JOB = None


def _init(job):
    global _JOB
    _JOB = job
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the parent handles Ctrl-C and ends the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _task(number, seed, start, *past):
    try:
        found = _made(_JOB, number, seed, start, *past)
    except SymdlError as exc:
        found = {"error": exc}
    return pickle.dumps(found)


def _made(job, number, seed, start, *past) -> dict:
    """Variant ``number`` found (solve.find) and, in the process that derived it, its documents
    (``job.render``) and its part of each LMS export (``job.export``)."""
    found = solve.find(job, number, seed, start, *past)
    exam, results = found["exam"], found["results"]
    found["sources"] = documents(exam, results, job.time_limit_s, staff=False) if job.render else {}
    found["exported"] = (fragments(job.export, found["id"], exam, results, multiple_choice=job.multiple_choice,
                                   math=job.math) if job.export else {})
    if not job.keep:
        found["exam"], found["results"] = None, []
    return found
