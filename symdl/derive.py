"""The pipeline, one direction: spec -> solver -> Solution -> verifier -> renderers."""

from __future__ import annotations

import contextlib
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from symdl.errors import SpecError, SymdlError, TimeLimitError, UsageError, VerificationFailed
from symdl import kinds
from symdl.spec import default_spec, load_exam

DEFAULT_TIME_LIMIT = 120.0   # seconds per question (derivation + verification)


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


@contextlib.contextmanager
def time_limit(seconds, question):
    """Raise TimeLimitError when the body runs longer than ``seconds`` (main thread only).

    The alarm raises inside the running code; should that code swallow the exception (a
    broad ``except``), the limit is still reported when the body ends, whatever it raised.
    """
    if not seconds or not hasattr(signal, "SIGALRM"):
        yield
        return
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    fired = []

    def expired():
        return TimeLimitError(f"derivation exceeded the time limit of {seconds:g} s",
                              file=question.file, question=question.id)

    def on_alarm(signum, frame):
        fired.append(True)
        raise expired()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except TimeLimitError:
        raise
    except BaseException:
        if fired:
            raise expired() from None
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if fired:
        raise expired()


def solve_question(question, time_limit_s=DEFAULT_TIME_LIMIT) -> QuestionResult:
    """Derive and verify one question.

    Bad input surfaces as a SymdlError naming the file, the question and (where known) the
    field; an unexpected exception is a bug and propagates with a note naming the question.
    """
    from symdl.verify import verify   # numpy + SymPy: imported only once a question derives

    start = time.perf_counter()
    kind = kinds.get(question.kind)
    try:
        with time_limit(time_limit_s, question):
            question.values = kind.schema.check(question)
            solution = kind.solve(question)
            checks = verify(question, solution, kind)
    except SymdlError as exc:
        if exc.file is None:
            exc.file = question.file
        if exc.question is None:
            exc.question = question.id
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

    Nothing is written unless every question derives and the PDF builds: files go to a
    temporary folder inside ``out`` and are moved into place whole (an older folder of the
    same exam is replaced only then). On failure no folder is left behind, not even ``out``
    when this call created it. Raises VerificationFailed (after writing) when a check failed.
    """
    report = solve_exam(spec, time_limit_s=time_limit_s, progress=progress)
    from symdl.render import answers_json, latex, pdf as pdf_render

    exam, results = report.exam, report.results
    tex_source = latex.render(exam, results)
    json_source = answers_json.render(exam, results)

    out = Path(out)
    created = _make_folder(out)
    final = out / exam.id
    staging = None
    try:
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{exam.id}.", dir=out))
            (staging / "answer-key.tex").write_text(tex_source, encoding="utf-8")
            (staging / "answers.json").write_text(json_source, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write the output folder: {exc.strerror or exc}", file=out) from None
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
        try:
            _replace(staging, final)
        except OSError as exc:
            raise UsageError(f"cannot move the answer key into place: {exc.strerror or exc}",
                             file=final) from None
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created:
            with contextlib.suppress(OSError):
                for folder in [out, *out.parents][:len(created)]:
                    folder.rmdir()          # only folders this call made, only when empty
        raise
    report.folder = final
    report.files = sorted(p.name for p in final.iterdir())
    if not report.verified:
        names = [f"{r.question.id}:{c.name}" for r in results for c in r.failures]
        if not names:
            names = [f"{r.question.id} (no checked answer)" for r in results if not r.verified]
        raise VerificationFailed(f"verification failed for {', '.join(names[:8])}"
                                 f"{' ...' if len(names) > 8 else ''} (files written to {final})")
    return report


def _make_folder(out: Path) -> list:
    """Create ``out`` (and missing parents); return the folders created, deepest first."""
    missing = []
    for folder in [out, *out.parents]:
        if folder.exists() or str(folder) in ("", "."):
            break
        missing.append(folder)
    if out.exists() and not out.is_dir():
        raise UsageError("output path exists and is not a folder", file=out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the output folder: {exc.strerror or exc}", file=out) from None
    return missing


def _replace(staging: Path, final: Path):
    """Move the finished folder into place, replacing an older one."""
    old = None
    if final.exists() or final.is_symlink():
        old = final.with_name(f".{final.name}.old")
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        elif old.exists() or old.is_symlink():
            old.unlink()
        final.rename(old)
    try:
        staging.rename(final)
    except OSError:
        if old is not None:
            old.rename(final)       # put the previous key back
        raise
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink()


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
