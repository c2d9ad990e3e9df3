"""The export command's work: the spec read once, derived (or its variants drawn and derived), then
handed to symdl.export, which never derives."""

from __future__ import annotations

from pathlib import Path

from symdl import export, solve
from symdl.errors import UsageError
from symdl.export.write import check_out
from symdl.input.spec import default_spec, load_exam
from symdl.variants import iter_variants


def export_spec(target, spec=None, out="out", *, variants=None, seed=None, multiple_choice=False,
                math=None, time_limit_s=solve.DEFAULT_TIME_LIMIT, data_dirs=(), progress=None):
    """Derive ``spec`` (default DI504), or ``variants`` variants of it from ``seed``, and export them
    (the spec read once; symdl.export receives the derived exam or each variant's part)."""
    export.targets(target)
    if variants is not None:
        if not 1 <= variants <= export.MAX_VARIANTS:
            raise UsageError(f"--variants: {variants} is not between 1 and {export.MAX_VARIANTS}")
        if seed is None:
            raise UsageError("--variants needs --seed (the same seed gives the same variants)")
    out = Path(out)
    if variants is None:
        exam = load_exam(spec or default_spec(), data_dirs=data_dirs)
        check_out(out, out / exam.id)       # refused before minutes of derivation
        report = solve.solve_loaded(exam, time_limit_s=time_limit_s, progress=progress, data_dirs=data_dirs)
        return export.export(target, [(None, report.exam, report.results)], out,
                             multiple_choice=multiple_choice, math=math)
    drawn = solve.prepare(spec, variants, seed, data_dirs)
    check_out(out, out / drawn.first.id)
    # each variant's part made where it is derived (two processes), put together on disk
    made = iter_variants(drawn, time_limit_s=time_limit_s, keep=False, render=False,
                         export=(target,), multiple_choice=multiple_choice, math=math)
    return export.export_variants(target, drawn.first, made, out)
