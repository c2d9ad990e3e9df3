"""Per-student variants: draw a spec's values, derive and verify each variant, keep those meeting [exam] require.

``generate(spec, count, seed)`` returns ``count`` Variants, each derived and verified, no two
with the same draws; ``write(...)`` (the ``variants`` command) writes them with derive's own
documents (symdl.variants_out). Variant ``n`` of seed ``S`` tries the draws of
``draws.attempt_seed(S, n, 0)``, ``(S, n, 1)``, ... until one meets every condition and differs
from the variants before it; at most MAX_DRAWS draws per variant.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from symdl.input import draws as drawing
from symdl.deadline import reading_done
from symdl.derive import DEFAULT_TIME_LIMIT, solve_question
from symdl.errors import SpecError, SymdlError, UsageError, VerificationFailed
from symdl.input.require import TIES, holds
from symdl.input.spec import build_exam, default_spec, read_spec

MAX_COUNT = 10_000      # variants in one run
MAX_DRAWS = 100         # draws tried for one variant before its conditions are declared unmet
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


@dataclass
class _Job:
    """What every worker needs: the spec's data and draws, and how to derive."""

    data: dict
    draws: list
    file: Path
    data_dirs: tuple
    time_limit_s: float
    render: bool
    keep: bool
    digits: int
    export: tuple = ()          # LMS targets whose parts each variant's process makes
    multiple_choice: bool = False
    math: str | None = None


def check_count(count) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise UsageError(f"--count must be a whole number from 1 to {MAX_COUNT}, got {count}")
    return count


def prepare(spec, count, seed, data_dirs=()) -> tuple:
    """The spec read and checked for ``count`` variants: (data, draws, first exam); SpecError otherwise."""
    check_count(count)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"--seed must be a whole number >= 0, got {seed}")
    path = Path(spec or default_spec())
    data = read_spec(path, variants=True)
    draws = drawing.find(data, path)
    first = build_exam(drawing.apply(data, draws, drawing.attempt_seed(seed, 1, 0))[0], path, data_dirs)
    if not draws:
        raise SpecError("the spec draws no value, so every variant would be the same; write a draw, e.g. "
                        "W = { random = \"uniform\", low = -0.5, high = 0.5, step = 0.1, shape = [2, 2] }",
                        file=path, field="question")
    possible = drawing.distinct_variants(draws)
    if possible < count:
        raise SpecError(f"the draws allow only {possible} different variant(s); asked for {count}", file=path)
    return data, draws, first


def generate(spec, count, seed, *, data_dirs=(), time_limit_s=DEFAULT_TIME_LIMIT, workers=WORKERS,
             progress=None) -> list:
    """``count`` variants of ``spec`` from ``seed``, each derived, verified and meeting [exam] require.

    Raises SpecError (bad draws, an unknown answer in a condition, a condition no draw met),
    VerificationFailed naming the variant whose check failed, UsageError for a bad count.
    """
    return list(iter_variants(spec, count, seed, data_dirs=data_dirs, time_limit_s=time_limit_s,
                              workers=workers, keep=True, render=False, progress=progress))


def first(spec, *, data_dirs=(), time_limit_s=DEFAULT_TIME_LIMIT, progress=None):
    """Variant 001 of seed 0 (what ``derive`` uses for a spec with draws): (exam, results)."""
    variant = next(iter_variants(spec, 1, 0, data_dirs=data_dirs, time_limit_s=time_limit_s, workers=1,
                                 keep=True, render=False, progress=progress))
    return variant.exam, variant.results


def iter_variants(spec, count, seed, *, data_dirs=(), time_limit_s=DEFAULT_TIME_LIMIT, workers=WORKERS,
                  keep=True, render=True, progress=None, export=(), multiple_choice=False, math=None):
    """Yield the variants in order; with ``render`` each carries derive's documents in ``sources``,
    with ``export`` (LMS targets) its part of each export in ``exported``."""
    data, draws, _ = prepare(spec, count, seed, data_dirs)
    reading_done()                  # the spec is read (--time-limit's reading phase); each question has its own
    job = _Job(data, draws, Path(spec or default_spec()), tuple(data_dirs), time_limit_s, render, keep,
               max(3, len(str(count))), tuple(export), multiple_choice, math)
    if workers <= 1 or count == 1:
        yield from _collect(count, seed, lambda n, start, *past: _Done(_find(job, n, seed, start, *past)), progress)
        return
    import symdl.check.verify
    from symdl.render import answers_json, latex  # noqa: F401
    if job.export:
        from symdl.export import canvas, moodle  # noqa: F401

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
        import sympy

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
        found = _find(_JOB, number, seed, start, *past)
    except SymdlError as exc:
        found = {"error": exc}
    return pickle.dumps(found)


def _find(job, number, seed, start, taken=frozenset(), unmet=None, failing=frozenset(), repeats=0) -> dict:
    """The first draw from attempt ``start`` on whose variant derives, verifies, meets every condition and
    is not one of ``taken`` (the digests of the variants before it); ``unmet``, ``failing`` and ``repeats``
    carry what the attempts before ``start`` met."""
    unmet, failing = Counter(unmet or {}), set(failing)
    name = str(number).zfill(job.digits)
    for attempt in range(start, MAX_DRAWS):
        draw_seed = drawing.attempt_seed(seed, number, attempt)
        data, drawn = drawing.apply(job.data, job.draws, draw_seed)
        exam = build_exam(data, job.file, job.data_dirs)
        exam.draws, exam.drawn = job.draws, drawn
        digest = drawing.digest(exam.id, drawn)
        if digest in taken:
            repeats += 1
            continue
        exam.variant = f"{name} ({digest})" if job.draws else None
        results, failed = _derive(exam, job.time_limit_s)
        if failed is not None:
            unmet[failed] += 1
            failing.add(digest)
            continue
        _check_verified(exam, results, name, draw_seed)
        sources = {}
        if job.render:
            from symdl.derive import documents

            sources = documents(exam, results, job.time_limit_s, staff=False)
        exported = {}
        if job.export:
            from symdl.export import fragments

            exported = fragments(job.export, name, exam, results, multiple_choice=job.multiple_choice,
                                 math=job.math)
        return {"id": name, "seed": draw_seed, "digest": digest, "attempt": attempt, "drawn": drawn,
                "exam": exam if job.keep else None, "results": results if job.keep else [],
                "sources": sources, "exported": exported, "unmet": dict(unmet), "failing": frozenset(failing),
                "repeats": repeats}
    raise SpecError(_exhausted(job, name, seed, taken, unmet, failing, repeats), file=job.file,
                    field="exam.require")


def _exhausted(job, name, seed, taken, unmet, failing, repeats) -> str:
    """Why no draw gave variant ``name``: the condition failing most often, and how many distinct variants
    the conditions allow (exactly, when every variant the draws give was seen)."""
    worst = unmet.most_common(1)[0] if unmet else None
    failed = f"condition {worst[0]!r} was not met in {worst[1]}" if worst else ""
    if not repeats:
        return f"{failed} of {MAX_DRAWS} draws for variant {name} (seed {seed}); loosen it or widen the draws"
    possible = drawing.distinct_variants(job.draws)
    allowed = (f"the conditions allow only {len(taken)} of the {possible} variants the draws give"
               if len(taken) + len(failing) >= possible else
               f"the draws meeting the conditions gave only {len(taken)} distinct variant(s)")
    return (f"no new variant in {MAX_DRAWS} draws for variant {name} (seed {seed}): {repeats} repeated an "
            f"earlier variant{', ' + failed if failed else ''}; {allowed}: ask for at most {len(taken)} "
            f"variants, widen the draws or loosen the condition")


def _derive(exam, time_limit_s):
    """Derive every question, those the conditions read first; (results in exam order, failed condition or None).

    The questions the conditions read come first, in the order the conditions are written; a
    condition is tested as soon as its questions are derived, so a draw that fails the first
    condition costs only its question (write the condition failing most often first).
    """
    from symdl.render.answers_json import jsonable

    conditions = list(exam.require)
    needed = [qid for c in conditions for r in c.refs for qid in [r.question]]   # in the order written
    rank = {qid: i for i, qid in reversed(list(enumerate(needed)))}
    order = sorted(exam.questions, key=lambda q: rank.get(q.id, len(rank)))
    done, answers = {}, {}
    for question in order:
        result = _solve_shared(question, exam, time_limit_s)
        done[question.id] = result
        if question.id in rank:          # only the questions the conditions read
            answers[question.id] = {k: jsonable(v) for k, v in result.solution.answers.items()}
            if result.solution.ties is not None:
                answers[question.id][TIES] = len(result.solution.ties)
        for condition in [c for c in conditions if c.questions <= done.keys()]:
            conditions.remove(condition)
            if not holds(condition, answers, file=exam.file):
                return None, condition.text
    return [done[q.id] for q in exam.questions], None


_SHARED = {}            # in one process: question as drawn -> its result (derived and verified once)
SHARED_MAX = 64


def _solve_shared(question, exam, time_limit_s):
    """``solve_question``, except that a question identical to one derived before in this process
    (same kind, text, fields after the draws, convention) shares that derivation and its checks:
    the same input gives the same derivation, so DI504's undrawn training log is derived once
    per worker, not once per variant."""
    import dataclasses
    import json

    key = json.dumps([question.id, question.kind, question.text, question.points, question.title,
                      question.parts, question.fields, question.subgradients, str(question.file),
                      [str(d) for d in question.data_dirs]], sort_keys=True, default=str)
    if key in _SHARED:
        result = _SHARED[key]
        question.values = result.question.values
        return dataclasses.replace(result, question=question, seconds=0.0)
    result = solve_question(question, time_limit_s)
    if len(_SHARED) >= SHARED_MAX:
        _SHARED.pop(next(iter(_SHARED)))
    _SHARED[key] = result
    return result


def _check_verified(exam, results, name, draw_seed):
    failures = [f"{r.question.id}:{c.name}" for r in results for c in r.failures]
    failures += [f"{r.question.id} (no checked answer)" for r in results if not r.checks]
    if failures:
        raise VerificationFailed(f"variant {name} (draw seed {draw_seed}) failed verification: "
                                 f"{', '.join(failures[:8])}; no variant written", file=exam.file)
