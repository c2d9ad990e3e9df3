"""The softmax kind's Solution: the reading of the score's extra term, each case's scores, softmax,
prediction and losses, written as steps of SymPy objects and the kind's named formulas (no LaTeX)."""

from __future__ import annotations

import math

import sympy as sp

from symdl.notation.display import RelationChain, ValueShown, VectorShown, display_tex, product, sum_tex, vector_tex
from symdl.kinds.softmax.notation import SoftmaxClassName, SoftmaxFormula as F
from symdl.notation.printer import value_tex
from symdl.solution import Math, Solution, Step, Table, Text, only

from . import derive, term
from .derive import MAX_SCORE, reg_terms
from .fields import LOSS_TITLES, REGULARIZATIONS, read
from .figures import summary

UE = sp.UnevaluatedExpr


def solve(question) -> Solution:
    p = read(question)
    sol = Solution(question.id, question.kind)
    N, D = p.N, p.D
    Wsym = [[sp.Symbol(f"W_{{{n + 1},{i + 1}}}") for i in range(D)] for n in range(N)]
    xsym = [sp.Symbol(f"x_{i + 1}") for i in range(D)]
    _intro(sol, question, p, Wsym)
    regs = {kind: reg_terms(p, kind) for kind in REGULARIZATIONS}
    rows = [_case(sol, question, p, case, regs[case.regularization], Wsym, xsym) for case in p.cases]
    summary(sol, p, rows)
    twins = _twin_cases(p)
    term.discussion(sol, p, rows, twins)
    term.credit(sol, question, p, twins)
    return sol


def _reg_symbol(n):
    return sp.Symbol(f"r_{n + 1}")


def _reg_term(kind, v):
    """|v| or v^2 with the number v shown as given."""
    return sp.Abs(UE(v), evaluate=False) if kind == "l1" else sp.Pow(UE(v), 2, evaluate=False)


def _intro(sol, question, p, Wsym):
    sec = sol.section("The score function and how its extra term is read")
    term.notes(sol, sec, question)
    if question.has("score"):
        sec.add(Text("The score function as given:"), Math(display_tex(question, "score")))
    used = {c.regularization for c in p.cases}
    if p.regularization == "none" and used == {"none"}:
        sec.add(Text("The scores are plain linear functions, ", F("score"),
                     f", for the {p.N} classes n = 1..{p.N}, where ", F("row"), " is row n of W."))
        return
    kinds = sorted(used - {"none"})
    for kind in kinds:
        if p.reading == "row":
            sol.assume(Text("The term ", F("term_" + kind), " is read with N as the class index: each class adds "
                            "the ", "L1 norm" if kind == "l1" else "squared L2 norm", " of its own row of W to its "
                            "own score, ", F("score_reg"), " with ", F("norm_" + kind), "."))
        else:
            sol.assume(Text("The term is read as one constant over every entry of W, ", F("all_" + kind),
                            ", added to every class's score."))
    sec.add(Text("Row n of W holds class n's weights ", F("row"), ". The extra term of each score is"
                 + (" its row's norm:" if p.reading == "row" else " one constant for all classes:")))
    for kind in kinds:
        _reg_steps(sec, p, kind, Wsym)
    _shift_remarks(sec, p, kinds)


def _reg_steps(sec, p, kind, Wsym):
    """r_n (or r) written out: the terms, the numbers, the value."""
    N, D = p.N, p.D
    vals = reg_terms(p, kind)
    f = (lambda s: sp.Abs(s)) if kind == "l1" else (lambda s: s ** 2)
    if p.reading == "row":
        for n in range(N):
            terms_sym = [f(Wsym[n][i]) for i in range(D)]
            terms_num = [_reg_term(kind, v) for v in p.W.row(n)]
            sec.add(*only("full", Step("", lhs=_reg_symbol(n), formula=sum_tex(terms_sym, per_line=D),
                                       substituted=sum_tex(terms_num, per_line=D), result=vals[n])))
        rel, body = vector_tex(vals)
        sec.add(Step("", lhs=RelationChain(F("r_vec"), "=", F("r_rows_" + kind)), result=body, relation=rel))
    else:
        terms = [_reg_term(kind, v) for v in p.W]
        sec.add(Step("", lhs=sp.Symbol("r"), formula=F("sum_all_" + kind),
                     substituted=sum_tex(terms, per_line=D), result=vals[0]))


def _shift_remarks(sec, p, kinds):
    """The shift-invariance remark, tied to the cases of this exam, and the usual-L1 remark."""
    N = p.N
    total = sum(reg_terms(p, "l1" if "l1" in kinds else "l2")[n] for n in range(N)) \
        if p.reading == "row" else reg_terms(p, kinds[0])[0]
    pairs = _twin_cases(p)
    twin_text = ""
    if pairs:
        a, b = pairs[0]
        twin_text = (f" Under that reading, cases {a} and {b} (the same x, with and without the term) would "
                     f"get identical probabilities" + ("; under the row reading used here they differ, because "
                                                       "each class gets its own norm." if p.reading == "row"
                                                       else ", as they do here."))
    sec.add(*only("full", Text("Remark (shift invariance). Softmax ignores any amount c added equally to every score:"),
                  Math(F("shift"))))
    if p.reading == "row":
        sec.add(*only("full", Text("So if the term were read as one constant over all of W (here ", F("r_is", total),
                     " for every class), it would change the scores but not the probabilities." + twin_text)))
    else:
        sec.add(*only("full", Text("Here the term is read as one constant over all of W, ", F("r_is", total),
                                   " for every class: it changes the scores but not the probabilities." + twin_text)))
    sec.add(*only("full", Text("Remark. In usual L1 regularization the penalty ", F("penalty"),
                               " is added to the loss, not to the scores; it changes training, not the class "
                               "probabilities of a given W. The answers below follow the formula as written.")))


def _twin_cases(p):
    pairs = []
    for i, a in enumerate(p.cases):
        for b in p.cases[i + 1:]:
            if a.x == b.x and a.regularization != b.regularization:
                pairs.append((a.id, b.id))
    return pairs


def _case(sol, question, p, case, regs, Wsym, xsym):
    cid = case.id
    part = cid if len(cid) <= 3 else None
    with_reg = case.regularization != "none"
    title = "Scores and class probabilities" + ("" if with_reg or p.regularization == "none"
                                                else " (without the regularization term)") \
        + ("" if part else f": case {cid}")
    sec = sol.section(title, part=part)
    if case.text:
        sec.add(Text(case.text))
    sec.add(*only("full", Text("Input ", F("x_is", vector_tex(case.x)[1]), "; ",
                               *(("the term ", F("r_n" if p.reading == "row" else "r"), " is included.")
                                 if with_reg else ("no regularization term.",)))))
    s = _score_steps(sec, p, case, regs, Wsym, xsym)
    if any(abs(v) > MAX_SCORE for v in s):
        raise question.error(f"case.{cid}.x", f"a score beyond +-10^{int(math.log10(MAX_SCORE))}: too large "
                                              "for an exam (check the magnitudes of W, B and x)")
    answer_part = cid if cid in question.parts else None
    sec.add(_score_matrix_step(p, case, regs, s))
    sol.answer(f"{cid}.scores", s, part=answer_part, label=f"case {cid}: scores", final=True)
    sm = derive.softmax(s)
    rounded = _softmax_steps(sec, p, s, sm)
    rel, body = vector_tex(sm.probs)
    sec.add(Step("", lhs=RelationChain(F("p_vec", ""), "=", F("p_exp_sub", ValueShown(
        sm.total, bare=True), VectorShown(sp.Matrix(sm.exps)))), result=body, relation=rel, boxed=True))
    sol.answer(f"{cid}.probs", sm.probs, part=answer_part, label=f"case {cid}: probabilities", final=True)
    predicted = _prediction(sol, sec, p, cid, s, sm)
    sol.describe(f"{cid}.predicted", part=answer_part, label=f"case {cid}: predicted class")
    if case.label is not None:
        for index, loss in enumerate(p.losses):
            prefix = cid if index == 0 else f"{cid}.{loss}"
            _loss(sol, sec, p, case, s, sm, loss, prefix)
    return {"id": cid, "probs": rounded, "predicted": predicted, "label": case.label,
            "regularization": with_reg}


def _score_steps(sec, p, case, regs, Wsym, xsym):
    """Each score written out, one class (one row of W) at a time; the scores as a column."""
    N, D = p.N, p.D
    per_line = D + 2 if D <= 6 else 5
    s = derive.scores(p, case, regs)
    for n in range(N):
        terms_sym = [Wsym[n][i] * xsym[i] for i in range(D)] + [sp.Symbol(f"B_{n + 1}")]
        terms_num = [product(p.W[n, i], case.x[i]) for i in range(D)] + [UE(p.B[n])]
        if case.regularization != "none":
            terms_sym.append(_reg_symbol(n) if p.reading == "row" else sp.Symbol("r"))
            terms_num.append(UE(regs[n]))
        named = p.classes[n] != str(n + 1)
        sec.add(*only("full", Step(f"Score of class {p.classes[n]} (row {n + 1} of W):" if named else
                                   "The scores, one class (one row of W) at a time:" if n == 0 else "",
                                   lhs=sp.Symbol(f"s_{n + 1}"), formula=sum_tex(terms_sym, per_line),
                                   substituted=sum_tex(terms_num, per_line), result=s[n])))
    return s


def _score_matrix_step(p, case, regs, s):
    """The model answer's scores: all classes at once, W x + B (+ r) with the numbers, boxed."""
    rel, body = vector_tex(s)
    Wx, B = VectorShown(p.W * sp.Matrix(case.x)), VectorShown(sp.Matrix(p.B))
    if case.regularization == "none":
        formula, substituted = F("score_mat"), F("vec_sum", Wx, B)
    else:
        extra = F("r_vec") if p.reading == "row" else sp.Symbol("r")
        regs_shown = VectorShown(sp.Matrix(regs)) if p.reading == "row" else regs[0]
        formula, substituted = F("score_mat_reg", extra), F("vec_sum_reg", Wx, B, regs_shown)
    if p.N * p.D > 60:      # a matrix too large to print: the scores line by line are in the full derivation
        return Step("The scores of case " + case.id + ":", lhs=F("s_vec"), formula=formula, result=body,
                    relation=rel, boxed=True)
    if case.regularization == "none":       # one line: the formula, the numbers, the boxed result
        return Step("", lhs=RelationChain(F("s_vec"), "=", formula, "=", substituted), result=body, relation=rel,
                    boxed=True)
    return Step("", lhs=F("s_vec"), formula=RelationChain(formula, "=", substituted), result=body, relation=rel,
                boxed=True)


def _softmax_steps(sec, p, s, sm):
    """The max shift, the denominator, the table of s_k, s_k - m, e^{s_k - m}, p_k; the sum is 1."""
    sec.add(*only("full", Text("Softmax. Multiplying the numerator and the denominator by ", F("e_minus_m"),
                               " with ", F("max_shift", sm.kmax + 1, sm.m),
                               " changes nothing and keeps every exponent at most 0, so nothing overflows:")))
    sec.add(*only("full", Math(F("softmax"))))
    sec.add(Text("Softmax with the largest score subtracted, ", F("p_exp_k"), " with ", F("max_shift", sm.kmax + 1, sm.m),
                 ":"))
    sec.add(*only("full", Step("The denominator:", lhs=F("denominator"),
                               formula=sum_tex([sp.exp(UE(d), evaluate=False) for d in sm.shifted], per_line=6),
                               result=sm.total)))
    rows = []
    for k in range(p.N):
        e = sm.exps[k]
        rows.append([p.classes[k], s[k], sm.shifted[k],
                     e if e == 1 else F("e_and_value", e, " ".join(value_tex(e))),
                     F("fixed4", " ".join(value_tex(sm.probs[k])).lstrip("= "))])
    sec.add(*only("full", Table(header=["class k", F("s_k"), F("s_k_shifted"), F("e_k"), F("p_k_col")],
                                rows=rows, align="c" + "r" * 4)))
    # the sum is 1 by construction (the numerators are the denominator's terms)
    rounded = [float(sp.N(v, 20)) for v in sm.probs]
    sec.add(*only("full", Step("The probabilities sum to 1: the numerators are exactly the terms of the "
                               "denominator.", lhs=F("sum_p"), formula=F("sum_p_ratio"), result=sp.Integer(1)),
                  Text("With the rounded values: ",
                       F("approx_sum", " + ".join(value_tex(v)[1] for v in sm.probs), f"{sum(rounded):.4f}"), ".")))
    return rounded


def _prediction(sol, sec, p, cid, s, sm):
    ties = [k for k in range(p.N) if s[k] == sm.m]
    predicted = ties[0] + 1
    sol.answer(f"{cid}.predicted", predicted)
    tie_note = ""
    if len(ties) > 1:
        tie_note = (" Classes " + ", ".join(p.classes[k] for k in ties) + " tie for the largest score; the first "
                    "is taken.")
        sol.assume(f"Case {cid}: a tie for the largest probability is broken by taking the first class.")
    name = p.classes[ties[0]]
    argmax = F("argmax", predicted) if name == str(predicted) else \
        F("argmax_named", predicted, SoftmaxClassName(name))
    sec.add(Text("Predicted class (the largest score): ", argmax,
                 ", with ", F("p_value", predicted, " ".join(value_tex(sm.probs[ties[0]]))), "." + tie_note))
    return predicted


def _loss(sol, sec, p, case, s, sm, loss, prefix):
    y = case.label
    label_name = p.classes[y]
    sec.add(Text(f"The true label is class {label_name}" + (f" (k = {y + 1})" if label_name != str(y + 1) else "")
                 + f": the {LOSS_TITLES[loss]} loss and its gradients."))
    if loss == "cross_entropy":
        L, g = derive.cross_entropy(sm, y)
        inner = sum_tex([sp.exp(UE(d), evaluate=False) for d in sm.shifted], per_line=6)
        sec.add(Step("", lhs=sp.Symbol("L"), formula=F("ce"),
                     substituted=F("ce_substituted", inner, sm.shifted[y]), result=L))
        rel, body = vector_tex(g)
        sec.add(Text("The gradient with respect to the scores is the classic ", F("p_minus_e_y"),
                     " (the one-hot vector of the label subtracted from the probabilities):"),
                Step("", lhs=F("g"), formula=F("p_minus_e", y + 1), result=body, relation=rel))
    else:
        g = _hinge(sol, sec, p, case, s)
        L = derive.hinge(s, y, p.margin)[0]
    sol.answer(f"{prefix}.loss", L)
    sol.answer(f"{prefix}.grad.scores", g)
    gW = derive.grad_W(p, case, g)
    why, formula, substituted = _grad_W_explained(sol, p, case, g)
    sec.add(why, Step("", lhs=F("dL_dW"), formula=formula, substituted=substituted, result=gW))
    sec.add(Step("The biases enter each score with coefficient 1:", lhs=F("dL_dB"),
                 formula=F("g_vec"), result=vector_tex(g)[1], relation=vector_tex(g)[0]))
    sol.answer(f"{prefix}.grad.W", gW)
    sol.answer(f"{prefix}.grad.B", g)


def _hinge(sol, sec, p, case, s):
    """The hinge loss's step and its gradient with respect to the scores (returned)."""
    N, y, delta = p.N, case.label, p.margin
    L, margins, active, g = derive.hinge(s, y, delta)
    terms_sym = [sp.Max(0, sp.Symbol(f"s_{j + 1}") - sp.Symbol(f"s_{y + 1}") + sp.Symbol("Delta"),
                        evaluate=False) for j in range(N) if j != y]
    terms_num = [sp.Max(0, sp.Add(UE(s[j]), sp.Mul(-1, UE(s[y]), evaluate=False), UE(delta), evaluate=False),
                        evaluate=False) for j in range(N) if j != y]
    # the numbers two terms a line: max(0, -1.12934 - (-1.13896) + 1) is a third of the page wide
    sec.add(Step("", lhs=sp.Symbol("L"),
                 formula=sum_tex(terms_sym, per_line=3), substituted=sum_tex(terms_num, per_line=2), result=L))
    if any(margins[j] == 0 for j in range(N) if j != y):
        sol.assume(f"Case {case.id}: where a hinge term sits exactly at its kink (margin 0) its derivative "
                   "is taken as 0.")
    sec.add(Text("With margin ", F("delta_is", delta), ", each class j whose term is positive adds 1 to ",
                 F("dL_ds_j"), " and subtracts 1 from ", F("dL_ds_y"),
                 ": " + (f"here {len(active)} term(s) are active" if active else "no term is active")
                 + ("" if not active else " (classes " + ", ".join(p.classes[j] for j in active) + ")") + "."),
            Step("", lhs=F("g"), result=vector_tex(g)[1], relation="="))
    return g


def _grad_W_explained(sol, p, case, g):
    """(why, formula, substituted) of dL/dW for the case's regularization and the reading."""
    N, D, reg = p.N, p.D, case.regularization
    if reg == "none":
        return (Text("Each score is linear in its own row, ", F("ds_dW"), ":"), F("g_xT"),
                F("g_times", case.x.T))
    if p.reading == "all":
        why = Text("Every score contains the same constant r, so each weight also feeds every score: ",
                   F("ds_dW_all_" + reg), "; the second part is multiplied by ",
                   F("sum_g", sp.expand(sum(g))), ":")
        return why, F("all_grad_" + reg), None
    dmat = (sp.Matrix(N, D, lambda n, i: sp.sign(p.W[n, i])) if reg == "l1" else 2 * p.W)
    M = sp.Matrix(N, D, lambda n, i: case.x[i]) + dmat
    zero_weight = reg == "l1" and any(v == 0 for v in p.W)
    why = Text("The score of class n depends on row n twice, through the product and through the norm "
               "term: ", F("ds_dW_" + reg),
               (", with sign(0) = 0 taken (a subgradient) where a weight is 0:" if zero_weight else ":"))
    if zero_weight:
        sol.assume("Where a weight is exactly 0, the derivative of its |w| term is taken as sign(0) = 0 "
                   "(a subgradient).")
    return why, F("diag_" + reg), F("diag_times", M)
