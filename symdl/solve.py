"""Deriving and verifying: one question, an exam, one drawn variant of an exam (below derive and variants).

``solve_question`` derives, verifies and grades one question; ``solve_exam`` every question of a
spec (a spec with draws as its variant 001 of seed 0). ``prepare`` reads a spec with draws once
for variants; ``find`` derives the first draw of variant ``n`` that verifies, meets every
``[exam] require`` condition and differs from the variants before it (at most MAX_DRAWS draws).
``derive`` writes the documents of what is solved here; ``variants`` runs ``find`` per variant.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from symdl.input import draws as drawing
from symdl import kinds
from symdl.deadline import reading_done, time_limit
from symdl.errors import SpecError, SymdlError, UsageError, VerificationFailed
from symdl.grading.grade import grade
from symdl.render.answers_json import jsonable
from symdl.input.require import TIES, holds
from symdl.input.spec import build_exam, default_spec, load_exam, read_spec
from symdl.check.verify import verify

DEFAULT_TIME_LIMIT = 120.0   # seconds per question (derivation, verification and rendering)
MAX_COUNT = 10_000           # variants in one run
MAX_DRAWS = 100              # draws tried for one variant before its conditions are declared unmet


@dataclass
class QuestionResult:
    """A question with its solution and the verifier's checks."""

    question: object
    solution: object
    checks: list
    seconds: float
    kind: object = None          # the Kind that derived it (its checks note, its template)

    @property
    def checks_note(self) -> str:
        return self.kind.checks_note if self.kind is not None else ""

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def failures(self) -> list:
        return [c for c in self.checks if not c.ok]


@dataclass
class Report:
    exam: object
    results: list
    folder: Path | None = None
    files: list = field(default_factory=list)
    pdf_note: str = ""

    @property
    def verified(self) -> bool:
        return all(r.verified for r in self.results)


def solve_question(question, time_limit_s=DEFAULT_TIME_LIMIT) -> QuestionResult:
    """Derive and verify one question.

    Bad input surfaces as a SymdlError naming the file, the question and (where known) the
    field; an unexpected exception is a bug and propagates with a note naming the question.
    """
    start = time.perf_counter()
    kind = kinds.get(question.kind)
    try:
        with time_limit(time_limit_s, question):
            question.values = kind.schema.check(question)
            solution = kind.solve(question)
            kinds.check_solution(kind, solution)
            checks = verify(question, solution, kind)
            grade(question, solution, kind)     # points, tolerances, common mistakes
    except SymdlError as exc:
        exc.locate(question)
        raise
    except RecursionError:
        raise SpecError("recursion limit reached: an expression nested too deeply, or a value far too large",
                        file=question.file, question=question.id) from None
    except MemoryError:
        raise SpecError("out of memory (a value or shape far too large?)",
                        file=question.file, question=question.id) from None
    except OverflowError:
        raise SpecError("a value is too large for the numeric cross-check (beyond 10^308)",
                        file=question.file, question=question.id) from None
    except Exception as exc:
        exc.add_note(f"while deriving question {question.id} ({question.kind}) of {question.file}")
        raise
    return QuestionResult(question, solution, checks, time.perf_counter() - start, kind)


def solve_exam(spec=None, *, time_limit_s=DEFAULT_TIME_LIMIT, progress=None, data_dirs=()) -> Report:
    """Load the spec (default: the embedded DI504 exam) and derive and verify every question.

    Data files a question names must lie in the spec's folder (or below it) or in one of
    ``data_dirs``.
    """
    exam = load_exam(spec or default_spec(), data_dirs=data_dirs)
    return solve_loaded(exam, time_limit_s=time_limit_s, progress=progress, data_dirs=data_dirs)


def solve_loaded(exam, *, time_limit_s=DEFAULT_TIME_LIMIT, progress=None, data_dirs=()) -> Report:
    """Every question of an exam already loaded (``load_exam``), derived and verified; a spec with
    draws derives as its variant 001 of seed 0, said in one line."""
    if not exam.draws:
        return Report(exam, solve_questions(exam, time_limit_s, progress))
    found = find(job_for(prepare(exam.file, 1, 0, data_dirs, exam.variants_data), time_limit_s), 1, 0, 0)
    exam, results = found["exam"], found["results"]
    if progress:
        progress(f"the spec draws values: derived as variant {exam.variant} of seed 0 "
                 f"('python -m symdl variants' writes the others)")
        for r in results:
            progress(f"{r.question.id} ({r.question.kind}): {len(r.checks)} answers, "
                     f"{'verified' if r.verified else 'FAILED'}, {r.seconds:.2f} s")
    return Report(exam, results)


def solve_questions(exam, time_limit_s=DEFAULT_TIME_LIMIT, progress=None) -> list:
    """Derive and verify every question of a loaded exam, in order."""
    results = []
    for question in exam.questions:
        result = solve_question(question, time_limit_s)
        results.append(result)
        if progress:
            state = "verified" if result.verified else f"FAILED: {', '.join(c.name for c in result.failures)}"
            progress(f"{question.id} ({question.kind}): {len(result.checks)} answers, {state}, "
                     f"{result.seconds:.2f} s")
    return results


# ------------------------------------------------------------------ drawn variants ---

@dataclass
class Drawn:
    """A spec with draws, read once for ``count`` variants from ``seed``: its data, its draws and the
    exam of variant 1's first draw (its id, questions and title: what every variant shares)."""

    file: Path
    data: dict
    draws: list
    first: object
    count: int
    seed: int
    data_dirs: tuple = ()


@dataclass
class Job:
    """What every process deriving variants needs: the spec's data and draws, and how to derive."""

    data: dict
    draws: list
    file: Path
    data_dirs: tuple
    time_limit_s: float
    keep: bool = True
    digits: int = 3
    render: bool = False
    export: tuple = ()          # LMS targets whose parts each variant's process makes
    multiple_choice: bool = False
    math: str | None = None


def check_count(count) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise UsageError(f"--count must be a whole number from 1 to {MAX_COUNT}, got {count}")
    return count


def prepare(spec, count, seed, data_dirs=(), data=None) -> Drawn:
    """The spec read (once) and checked for ``count`` variants from ``seed``; SpecError otherwise.
    ``data``: the spec's TOML as variants read it, when it is read already (load_exam's variants_data)."""
    check_count(count)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"--seed must be a whole number >= 0, got {seed}")
    path = Path(spec or default_spec())
    data = read_spec(path, variants=True) if data is None else data
    draws = drawing.find(data, path)
    first = build_exam(drawing.apply(data, draws, drawing.attempt_seed(seed, 1, 0))[0], path, data_dirs)
    if not draws:
        raise SpecError("the spec draws no value, so every variant would be the same; write a draw, e.g. "
                        "W = { random = \"uniform\", low = -0.5, high = 0.5, step = 0.1, shape = [2, 2] }",
                        file=path, field="question")
    possible = drawing.distinct_variants(draws)
    if possible < count:
        raise SpecError(f"the draws allow only {possible} different variant(s); asked for {count}", file=path)
    reading_done()              # the spec is read (--time-limit's reading phase); each question has its own
    return Drawn(path, data, draws, first, count, seed, tuple(data_dirs))


def job_for(drawn: Drawn, time_limit_s, **how) -> Job:
    """What the processes deriving ``drawn``'s variants need (``how``: Job's options)."""
    return Job(drawn.data, drawn.draws, drawn.file, drawn.data_dirs, time_limit_s,
               digits=max(3, len(str(drawn.count))), **how)


def find(job, number, seed, start, taken=frozenset(), unmet=None, failing=frozenset(), repeats=0) -> dict:
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
        return {"id": name, "seed": draw_seed, "digest": digest, "attempt": attempt, "drawn": drawn,
                "exam": exam, "results": results, "unmet": dict(unmet), "failing": frozenset(failing),
                "repeats": repeats}
    raise SpecError(exhausted(job, name, seed, taken, unmet, failing, repeats), file=job.file,
                    field="exam.require")


def exhausted(job, name, seed, taken, unmet, failing, repeats) -> str:
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
