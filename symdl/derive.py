"""The derive command: the exam solved (symdl.solve), its documents rendered and published in OUT/<exam id>/."""

from __future__ import annotations

import contextlib
import time
from functools import partial
from pathlib import Path
from types import SimpleNamespace

from symdl import outdir
from symdl.deadline import effective, rendering, time_limit
from symdl.errors import BuildError, TimeLimitError, UsageError, VerificationFailed
from symdl.render import answers_json, latex, pdf as pdf_render, sheet
from symdl.render import html as html_render
from symdl.solve import DEFAULT_TIME_LIMIT, Report, solve_loaded
from symdl.input.spec import default_spec, load_exam

MAX_TEX_S = 1e6              # the PDF build's timeout when there is no practical time limit


DOCUMENTS = ("answer-key", "grading", "verification")   # the LaTeX documents, each .tex and .pdf
DETAILS = ("model", "full")


def derive(spec=None, out="out", *, pdf=True, html=False, time_limit_s=DEFAULT_TIME_LIMIT, progress=None,
           data_dirs=(), detail="model") -> Report:
    """Write ``out/<exam id>/``: the model answers ``answer-key.tex``/``.pdf`` (with ``detail="full"``
    the complete derivation instead), the rubric ``grading.tex``/``.pdf``, the instructor's
    ``verification.tex``/``.pdf``, ``answers.json`` and a manifest (with ``html``,
    ``answer-key.html`` too).

    Files go to a staging folder inside ``out`` and are moved into place whole, under a lock
    on ``out``; an older ``out/<exam id>`` is replaced only when its manifest lists every file
    it holds, unchanged (otherwise UsageError, exit 2, before anything is derived). On bad
    input or a time limit nothing is left behind, not even ``out`` when this call created it.
    After writing, raises BuildError when TeX failed (the .tex and answers.json are in place)
    and VerificationFailed when a check failed.
    """
    started = time.monotonic()
    if detail not in DETAILS:
        raise UsageError(f"unknown detail {detail!r} (known: {', '.join(DETAILS)})")
    exam = load_exam(spec or default_spec(), data_dirs=data_dirs)
    out = Path(out)
    outdir.check_out(out, out / exam.id)        # refuse up front, before minutes of derivation
    report = solve_loaded(exam, time_limit_s=time_limit_s, progress=progress, data_dirs=data_dirs)
    exam = report.exam
    sources = documents(exam, report.results, time_limit_s, html=html, detail=detail)

    def fill(staging):
        outdir.write_files(staging, sources)
        build_error = None
        if pdf:
            budget = None if effective(time_limit_s) is None else time_limit_s * len(exam.questions)
            build_error = _build_pdf(staging, exam, report, progress, budget, started)
            build_error = _build_sheet_pdf(staging, build_error)
        report.files = sorted(p.name for p in staging.iterdir() if p.name != outdir.MANIFEST)
        return build_error

    final, build_error = outdir.publish(out, exam.id, fill, what="the answer key")
    report.folder = final
    _raise_failures(report, build_error, final)
    return report


def documents(exam, results, time_limit_s, *, html=False, detail="model", staff=True) -> dict:
    """File name -> text of every document derive writes: the answer key's LaTeX, the rubric's
    (grading), answers.json, the exam sheet's LaTeX, with ``staff`` the instructor's verification
    report, with ``html`` the HTML key; each question rendered within its time limit.
    A variant folder holds the same documents but the verification report (``staff=False``):
    its rubric is its own, since its values and mistakes are."""
    renderers = {"answer-key.tex": partial(latex.render, document=detail),
                 "grading.tex": partial(latex.render, document="grading")}
    if staff:
        renderers["verification.tex"] = partial(latex.render, document="verification")
    renderers["answers.json"] = answers_json.render
    if html:
        renderers["answer-key.html"] = partial(html_render.render, audience=detail)
    sources = {}
    for name, render in renderers.items():
        with rendering(results, time_limit_s) as timed:
            sources[name] = render(exam, timed)
    sources.update(sheet.sources(exam))     # the exam sheet: the given values, no answer
    return sources


def _build_pdf(staging, exam, report, progress, budget, started):
    """Build each document's PDF in ``staging`` within what is left of ``budget``; return a
    BuildError (every PDF removed then) or None.

    The budget is the time limit times the number of questions, counted from the start of
    the derivation; running past it is a TimeLimitError (exit 2, nothing written).
    """
    if not pdf_render.tex_available():
        report.pdf_note = ("PDF not built: latexmk/pdflatex not found; install them with "
                           "'apt-get install latexmk texlive-latex-extra texlive-pictures' "
                           "or run 'make key'")
        return None
    if progress:
        progress(f"building {', '.join(s + '.pdf' for s in DOCUMENTS)} with latexmk")
    where = SimpleNamespace(file=exam.file, id=None)
    try:
        for stem in DOCUMENTS:              # one TeX run each, within what is left of the budget
            left = None if budget is None else budget - (time.monotonic() - started)
            if left is not None and left <= 0:
                raise TimeLimitError(f"no time left for the PDF build (time limit {budget:g} s for "
                                     f"{len(exam.questions)} question(s))", file=exam.file)
            with time_limit(left, where, what=f"the PDF build ({left or 0:.1f} s left)", limit=budget):
                pdf_render.build(staging / f"{stem}.tex",
                                 timeout=min(MAX_TEX_S, left + 30) if left is not None else MAX_TEX_S)
            pdf_render.clean(staging, stem)
    except BuildError as exc:
        for stem in DOCUMENTS:
            with contextlib.suppress(OSError):
                (staging / f"{stem}.pdf").unlink()
            pdf_render.clean(staging, stem)
        return exc
    return None


def _build_sheet_pdf(staging, build_error):
    """exam-sheet.pdf beside answer-key.pdf; the key's BuildError first, else the sheet's, else None."""
    if not pdf_render.tex_available():
        return build_error
    return build_error or sheet.build_pdf(staging)


def _raise_failures(report, build_error, final):
    failures = ""
    if not report.verified:
        names = [f"{r.question.id}:{c.name}" for r in report.results for c in r.failures]
        if not names:
            names = [f"{r.question.id} (no checked answer)" for r in report.results if not r.verified]
        failures = f"verification failed for {', '.join(names[:8])}{' ...' if len(names) > 8 else ''}"
    if build_error is not None:
        message = build_error.message.replace(" (rerun with --no-pdf to keep the .tex and build it by hand)", "")
        log = getattr(build_error, "log", None)         # TeX's log, kept beside its .tex
        raise BuildError(f"{message}; no PDF, the .tex files{', ' + log if log else ''} and answers.json "
                         f"written to {final}"
                         f"{'; ' + failures if failures else ''}")
    if failures:
        raise VerificationFailed(f"{failures} (files written to {final})")


def write_template(folder) -> list:
    """Copy the embedded DI504 spec and its data files into ``folder`` (never overwriting)."""
    source = default_spec().parent
    folder = Path(folder)
    files = sorted(p for p in source.iterdir() if p.is_file())
    try:
        if folder.exists() and not folder.is_dir():
            raise UsageError("exists and is not a folder; name a new or existing folder", file=folder)
        for path in files:
            if (folder / path.name).exists():
                raise UsageError("already exists; refusing to overwrite", file=folder / path.name)
        folder.mkdir(parents=True, exist_ok=True)
        for path in files:
            with (folder / path.name).open("xb") as target:     # never overwrite, even in a race
                target.write(path.read_bytes())
    except OSError as exc:
        raise UsageError(f"cannot write the spec: {exc.strerror or exc}",
                         file=exc.filename or folder) from None
    return [folder / p.name for p in files]
