"""The pipeline, one direction: spec -> solver -> Solution -> verifier -> renderers."""

from __future__ import annotations

import contextlib
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from symdl.errors import BuildError, SpecError, SymdlError, TimeLimitError, VerificationFailed
from symdl.kinds import solver
from symdl.spec import default_spec, load_exam
from symdl.verify import verify

DEFAULT_TIME_LIMIT = 120.0   # seconds per question (derivation + verification)


@dataclass
class QuestionResult:
    """A question with its solution and the verifier's checks."""

    question: object
    solution: object
    checks: list
    seconds: float

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


@contextlib.contextmanager
def time_limit(seconds, question):
    """Raise TimeLimitError when the body runs longer than ``seconds`` (main thread only)."""
    if not seconds or not hasattr(signal, "SIGALRM"):
        yield
        return
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        raise TimeLimitError(f"derivation exceeded the time limit of {seconds:g} s",
                             file=question.file, question=question.id)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def solve_question(question, time_limit_s=DEFAULT_TIME_LIMIT) -> QuestionResult:
    """Derive and verify one question."""
    start = time.perf_counter()
    module = solver(question.kind)
    with time_limit(time_limit_s, question):
        try:
            question.check_fields(module.FIELDS)
            solution = module.solve(question)
            checks = verify(question, solution)
        except SymdlError as exc:
            if exc.file is None:
                exc.file = question.file
            if exc.question is None:
                exc.question = question.id
            raise
        except RecursionError:
            raise SpecError("expression nested too deeply", file=question.file, question=question.id) from None
    return QuestionResult(question, solution, checks, time.perf_counter() - start)


def solve_exam(spec=None, *, time_limit_s=DEFAULT_TIME_LIMIT, progress=None) -> Report:
    """Load the spec (default: the embedded DI504 exam) and derive and verify every question."""
    exam = load_exam(spec or default_spec())
    results = []
    for question in exam.questions:
        result = solve_question(question, time_limit_s)
        results.append(result)
        if progress:
            state = "verified" if result.verified else f"FAILED: {', '.join(c.name for c in result.failures)}"
            progress(f"{question.id} ({question.kind}): {len(result.checks)} answers, {state}, "
                     f"{result.seconds:.2f} s")
    return Report(exam, results)


def derive(spec=None, out="out", *, pdf=True, time_limit_s=DEFAULT_TIME_LIMIT, progress=None) -> Report:
    """Write ``out/<exam id>/answer-key.tex``, ``answer-key.pdf`` and ``answers.json``.

    Nothing is written unless every question derives; files go to a temporary folder and are
    moved into place whole. Raises VerificationFailed (after writing) when a check failed.
    """
    from symdl.render import answers_json, latex, pdf as pdf_render

    report = solve_exam(spec, time_limit_s=time_limit_s, progress=progress)
    exam, results = report.exam, report.results
    tex_source = latex.render(exam, results)
    json_source = answers_json.render(exam, results)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    final = out / exam.id
    staging = Path(tempfile.mkdtemp(prefix=f".{exam.id}.", dir=out))
    try:
        (staging / "answer-key.tex").write_text(tex_source, encoding="utf-8")
        (staging / "answers.json").write_text(json_source, encoding="utf-8")
        if pdf:
            if pdf_render.tex_available():
                if progress:
                    progress("building PDF with latexmk")
                pdf_render.build(staging / "answer-key.tex")
                pdf_render.clean(staging, "answer-key")
            else:
                report.pdf_note = ("PDF not built: latexmk/pdflatex not found; install them with "
                                   "'apt-get install latexmk texlive-latex-extra texlive-pictures' "
                                   "or run 'make key'")
        _replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report.folder = final
    report.files = sorted(p.name for p in final.iterdir())
    if not report.verified:
        names = [f"{r.question.id}:{c.name}" for r in results for c in r.failures]
        raise VerificationFailed(f"verification failed for {', '.join(names[:8])}"
                                 f"{' ...' if len(names) > 8 else ''} (files written to {final})")
    return report


def _replace(staging: Path, final: Path):
    """Move the finished folder into place, replacing an older one."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old")
        if old.exists():
            shutil.rmtree(old)
        final.rename(old)
    staging.rename(final)
    staging.parent.joinpath(staging.name)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_template(folder) -> list:
    """Copy the embedded DI504 spec and its data files into ``folder`` (never overwriting)."""
    source = default_spec().parent
    folder = Path(folder)
    files = sorted(p for p in source.iterdir() if p.is_file())
    for path in files:
        if (folder / path.name).exists():
            raise SpecError("already exists; refusing to overwrite", file=folder / path.name)
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copyfile(path, folder / path.name)
    return [folder / p.name for p in files]
