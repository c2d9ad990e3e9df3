"""The training-log Solution: reading the log, iterations per epoch and the set size, the time per iteration."""

from __future__ import annotations

import sympy

from symdl.notation.display import FloorOf, CeilOf
from symdl.kinds.training_log.notation import LogIterationBound, LogSetSize
from symdl.notation.printer import substitute
from symdl.solution import Solution, Step, Text, only

from .analysis import size_range
from .dataset import dataset_section
from .cells import _short
from .fields import COLUMN_WORDS, FORMAT_NAMES, is_generated
from .figures import plots
from .numbers import clock, fnum, shown, sym
from .stats import _q
from .trends import trend_section
from .intended import EXPECTED
from .reading import analyse
from .rubric import rubric
from .short import short_part_b
from .source import generated_settings, log_text, settings
from .test_set import test_section
from .verdicts import verdict_section


def solve(question) -> Solution:
    an = analyse(question)
    st, log = an.setup, an.log
    sol = Solution(question.id, question.kind)
    _read_section(sol, an)
    _size_section(sol, an)
    dataset_section(sol, an, question.values)
    test_section(sol, log_text(question)[0], bool(question.values.get("test_set")), log)
    timing = _time_section(sol, an)
    verdicts = None
    if an.short:
        short_part_b(sol, an, timing)
    else:
        trends = trend_section(sol, an)
        plots(sol, an, trends)
        verdicts, _ = verdict_section(sol, an, timing, trends)
    if is_generated(question):
        _generated_section(sol, question, verdicts)
    rubric(sol, question, an)
    return sol


def _generated_section(sol, question, v):
    """For the instructor: the settings a generated log was made from, and whether its verdicts are theirs."""
    s = generated_settings(question)
    given = settings(question, question.values).seed
    wanted = EXPECTED[s.behaviour]
    ok = v is not None and all(v[key] == value for key, value in wanted.items())
    every = (f"validation every {s.validation_every} iterations" if s.fmt == "matlab" else "validation after every epoch")
    words = {"learning": "learning", "slow": "slowly", "overfitting": "overfitting", "diverged": "diverging"}
    read = ("none (the log is too short for trends)" if v is None else
            ", ".join(f"{words[k]}: {'yes' if v[k] else 'no'}" for k in wanted))
    sec = sol.section("The generated log", audience="instructor")
    sec.add(Text(f"The log was made from the question's settings, not read from a file: a run that is "
                 f"{s.behaviour}, seed {s.seed}{_redrawn(s, given)}, {s.epochs} epochs of {s.iterations} iterations, {every}, base "
                 f"learning rate {fnum(s.learning_rate, 4)}, {fnum(s.seconds_per_iteration, 4)} s per iteration. "
                 f"The verdicts read from it ({read}) are {'those' if ok else 'NOT those'} of that behaviour."))
    sol.answer("generated.as_intended", ok, part="b",
               label="the verdicts read from the generated log are those of the behaviour it was made with")


def _redrawn(s, given) -> str:
    """Why the seed differs from the one given, when it does."""
    if not s.redraw:
        return ""
    return (f" (the log of seed {given} did not read clearly as {s.behaviour}, so the seed was drawn again: "
            f"{s.redraw} time{'s' if s.redraw > 1 else ''})")


def _read_section(sol, an):
    log = an.log
    sec = sol.section("Reading the log", audience="instructor")
    found = sorted(COLUMN_WORDS[k] + f" ('{v}')" for k, v in log.columns.items())
    sec.add(Text(f"{log.name}: {len(log.rows)} rows of the table read; columns used: "
                 f"{', '.join(found)}."))
    n = len(log.skipped)
    if n:
        shown_lines = "; ".join(f"line {ln}: '{_short(t, 40)}'" for ln, t in log.skipped[:8])
        more = f" and {n - 8} more" if n > 8 else ""
        sec.add(Text(f"{n} non-blank line{'s' if n != 1 else ''} that are not rows of the table "
                     f"(page headers, banners, frames) were skipped and counted"
                     f"{f' ({log.blank} blank lines also ignored)' if log.blank else ''}: "
                     f"{shown_lines}{more}."))
    else:
        sec.add(Text("Every non-blank line after the header is a row of the table; nothing was skipped."))
    sol.answer("skipped_lines", sympy.Integer(n), label="lines of the file that are not table rows")
    if an.cut is not None:
        sec.add(Text(f"Line {an.cut.line} (epoch {an.cut.epoch}) holds a non-finite loss (NaN or Inf): "
                     f"the run diverged there. Trends below use the rows before it."))
    sol.assume(f"The log is {FORMAT_NAMES[log.fmt]}.")
    sec.add(Text({"matlab": "A line is a row of the table when it starts with two whole numbers (epoch, iteration) "
                          "and has as many cells as the header; any other line (page header, date, banner) is "
                          "skipped, never read as data.",
                "csv": "Each CSV row is one logging event; empty cells mean the value was not logged in that row.",
                "keras": "An epoch's last progress line (step n of n) holds its average training loss and its "
                         "validation loss; partial progress lines of an interrupted epoch are skipped.",
                "pytorch": "Each training line gives the loss of the mini-batch it names; a validation loss "
                           "belongs to the end of its epoch."}[log.fmt]))


def _iterations_steps(sol, sec, an):
    """How the iterations per epoch I follow from the log (or the spec), checked against every row."""
    log, I_ = an.log, sym("I")
    if an.method in ("final", "bounds", "given", "printed"):
        rows = [r for r in log.rows if r.iteration is not None]
        last = rows[-1] if rows else None
        if an.method == "final":
            i_f, E = sym("i_{final}"), sym("E")
            sec.add(Step("Training ends with the last iteration of the last epoch, so the iterations "
                         "per epoch are the final iteration divided by the number of epochs:",
                         lhs=I_, formula=i_f / E,
                         substituted=substitute(i_f / E, {i_f: sympy.Integer(last.iteration),
                                                          E: sympy.Integer(last.epoch)}),
                         result=sympy.Integer(an.iterations)))
            sol.assume(f"The last row (line {last.line}, iteration {last.iteration}) is the final "
                       f"iteration of training: the run completed {last.epoch} full epochs"
                       + (" (MATLAB always prints the final iteration)." if log.fmt == "matlab" else "."))
        elif an.method == "given":
            sec.add(Text(f"The question gives I = {an.iterations} iterations per epoch."))
        elif an.method == "printed":
            sec.add(Step(f"The log prints the step count of every epoch ({an.iterations}/{an.iterations} at "
                         f"the end of an epoch), so the iterations per epoch are", lhs=I_,
                         result=sympy.Integer(an.iterations)))
        lo, hi = an.bounds
        if lo is not None:
            lo_row, hi_row = an.bound_rows
            parts = ["Check against every row: a row of epoch e at iteration i needs ",
                     LogIterationBound("row"), ", so ",
                     LogIterationBound("lower"), " and ",
                     LogIterationBound("upper"), f". The tightest rows are line {lo_row.line} "
                     f"(epoch {lo_row.epoch}, iteration {lo_row.iteration}): ",
                     LogIterationBound("lower", lo_row.iteration, lo_row.epoch, lo)]
            if hi is not None:
                parts += [f", and line {hi_row.line} (epoch {hi_row.epoch}, iteration {hi_row.iteration}): ",
                          LogIterationBound("upper", hi_row.iteration, hi_row.epoch, hi)]
            parts.append(f". {'Only' if lo == hi else 'The value'} I = {an.iterations} " +
                         ("fits." if lo == hi else
                          f"lies in {lo} to {hi if hi is not None else 'infinity'}: consistent."))
            sec.add(*only("full", Text(*parts)))
        if an.method == "bounds":
            sec.add(Step("The rows allow exactly one whole number of iterations per epoch:",
                         lhs=I_, result=sympy.Integer(an.iterations)))
        spacing = an.val_spacing
        later = spacing[1:] if spacing and spacing[0] != an.iterations else spacing
        if later and all(d == an.iterations for d in later):
            sec.add(*only("full", Text(f"Validation rows come every {an.iterations} iterations"
                         f"{' after the first one' if later is not spacing else ''} "
                         f"(iterations {', '.join(str(v[1]) for v in an.val_points[:4])}, ...): "
                         f"one validation pass per epoch, which confirms I = {an.iterations}.")))
        elif spacing:
            sec.add(*only("full", Text(f"Validation rows are {', '.join(sorted({str(d) for d in spacing}))} "
                                       f"iterations apart, not tied to the epoch length; the epoch column "
                                       f"alone fixes I.")))


_DROPS = {"matlab": "MATLAB (trainNetwork)", "pytorch": "PyTorch with drop_last=True",
          "keras": "Keras with drop_remainder=True"}
_KEEPS = {"pytorch": "PyTorch (the DataLoader default, drop_last=False)", "keras": "Keras (model.fit)",
          "matlab": "This MATLAB set-up"}


def _size_section(sol, an):
    """Part a: I from the log, then the range of N that the framework's last-batch rule allows."""
    st = an.setup
    sec = sol.section("Iterations per epoch and the size of the training set", part="a")
    I_, B, N = sym("I"), sym("B"), sym("N")
    if an.iterations is None:
        sec.add(Text("The log has no iteration column and the question does not give the iterations per "
                     "epoch, so the number of mini-batches per epoch (and with it the training-set size) "
                     "cannot be read from it."))
        return
    _iterations_steps(sol, sec, an)
    sol.answer("iterations_per_epoch", sympy.Integer(an.iterations), part="a", unit="iterations",
               label=Text("iterations (mini-batches) per epoch ", I_), final=True)
    vals = {I_: sympy.Integer(an.iterations), B: sympy.Integer(st.batch)}
    if st.rounding == "floor":
        sec.add(Text(f"{_DROPS[st.framework]} drops the last incomplete mini-batch of every epoch, so ",
                     sympy.Eq(I_, FloorOf(N / B)), ": up to ", sympy.Integer(st.batch - 1),
                     " samples are left out of each epoch."))
        with sympy.evaluate(False):
            lo_expr, hi_expr = I_ * B, sympy.Add(I_ * B, B, -1, evaluate=False)
    else:
        sec.add(Text(f"{_KEEPS[st.framework]} keeps the last, smaller mini-batch, so ",
                     sympy.Eq(I_, CeilOf(N / B)), "."))
        with sympy.evaluate(False):
            lo_expr, hi_expr = (I_ - 1) * B + 1, I_ * B
    low, high = (sympy.Integer(v) for v in size_range(an.iterations, st.batch, st.rounding))
    sec.add(Step("Smallest training set with this many mini-batches:", lhs=sym("N_{min}"), formula=lo_expr,
                 substituted=substitute(lo_expr, vals), result=low))
    sec.add(Step("Largest training set with this many mini-batches:", lhs=sym("N_{max}"), formula=hi_expr,
                 substituted=substitute(hi_expr, vals), result=high))
    mid = (low + high) / 2
    rough = sympy.Integer(round(int(mid), 2 - len(str(int(mid)))))     # two significant digits
    sec.add(Text("The training set holds ", LogSetSize(low, high), " samples, roughly ", rough, ".",
                 boxed=True))
    sol.answer("train_set_size", sympy.Integer(an.iterations * st.batch), part="a", unit="samples",
               label=Text("mini-batches per epoch times the batch size ", I_ * B, " (an end of the range)"))
    sol.answer("train_set_size.min", low, part="a", unit="samples", label=sym("N_{min}"), final=True)
    sol.answer("train_set_size.max", high, part="a", unit="samples", label=sym("N_{max}"), final=True)
    sol.assume(f"Every iteration uses one mini-batch of B = {st.batch} samples"
               + (" (except the last, smaller one of each epoch)" if st.rounding == "ceil" else "")
               + "; no sample is used twice in an epoch, and the validation set is not part of N.")


def _time_section(sol, an):
    log = an.log
    timed = [r for r in log.rows if r.iteration is not None and r.values.get("elapsed") is not None]
    if len(timed) < 2 or an.iterations is None:
        return None
    sec = sol.section("Time per iteration and per epoch", audience="full")
    first, last = timed[0], timed[-1]
    t1, t0, i1, i0 = sym("t_{last}"), sym("t_{first}"), sym("i_{last}"), sym("i_{first}")
    tau = (t1 - t0) / (i1 - i0)
    vals = {t1: _q(last.values["elapsed"]), t0: _q(first.values["elapsed"]),
            i1: sympy.Integer(last.iteration), i0: sympy.Integer(first.iteration)}
    per_it = (last.values["elapsed"] - first.values["elapsed"]) / (last.iteration - first.iteration)
    sec.add(Text(f"The elapsed-time column reads {clock(first.values['elapsed'])} at iteration "
                 f"{first.iteration} (line {first.line}) and {clock(last.values['elapsed'])} at iteration "
                 f"{last.iteration} (line {last.line}); in seconds:"))
    sec.add(Step("Seconds per iteration (the slope of elapsed time over iterations, end to end):",
                 lhs=sym("tau"), formula=tau, substituted=substitute(tau, vals), result=_q(per_it)))
    I_ = sym("I")
    per_epoch = per_it * an.iterations
    sec.add(Step("Seconds per epoch:", lhs=sym(r"T_{epoch}"), formula=I_ * sym("tau"),
                 substituted=substitute(I_ * sym("tau"), {I_: sympy.Integer(an.iterations),
                                                           sym("tau"): shown(per_it)}),
                 result=_q(per_epoch)))
    sec.add(Text(f"That is about {fnum(per_epoch / 60, 3)} minutes per epoch and "
                 f"{fnum(per_it, 3)} s per mini-batch; the whole log spans {clock(last.values['elapsed'])}."))
    sol.answer("seconds_per_iteration", _q(per_it), unit="s", label="seconds per iteration")
    sol.answer("seconds_per_epoch", _q(per_epoch), unit="s", label="seconds per epoch")
    sol.assume("Elapsed time includes the validation passes and is logged to whole seconds."
               if log.fmt == "matlab" else "Elapsed time includes the validation passes.")
    return {"per_iteration": per_it, "per_epoch": per_epoch}
