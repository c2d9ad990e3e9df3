"""The softmax kind: linear class scores (optionally with a weight-norm term), probabilities, loss and gradients."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import sympy as sp
from sympy.codegen.cfunctions import log1p

from symdl.errors import LatexError
from symdl.kinds import softmax_check
from symdl.kinds.neuron import display_tex, num, product, sum_tex, vector_tex
from symdl.latex_parse import parse_matrix
from symdl.printer import tex, value_tex
from symdl.solution import Figure, Math, Solution, Step, Table, Tex, Text

FIELDS = {"score", "regularization", "reading", "W", "B", "case", "classes", "loss", "margin"}
TOLERANCE = 1e-6
checks_note = ("scores recomputed exactly in fractions; probabilities at 50 digits with mpmath (log-sum-exp "
               "instead of the max shift); the loss as log1p of the other classes' terms; gradients with "
               "respect to the scores, W and B by complex-step derivatives of the loss in mpmath.")

UE = sp.UnevaluatedExpr
REGULARIZATIONS = ("l1", "l2", "none")
READINGS = ("row", "all")
LOSSES = {"cross_entropy": "cross_entropy", "cross-entropy": "cross_entropy", "ce": "cross_entropy",
          "softmax": "cross_entropy", "hinge": "hinge", "svm": "hinge", "multiclass_svm": "hinge"}
LOSS_TITLES = {"cross_entropy": "cross-entropy", "hinge": "multiclass SVM (hinge)"}
CASE_KEYS = {"id", "x", "regularization", "label", "text"}
MAX_SCORE = 10 ** 6
_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


@dataclass
class Case:
    id: str
    x: sp.Matrix
    regularization: str          # "l1", "l2" or "none" for this case
    label: int | None            # 0-based class index
    text: str


@dataclass
class Problem:
    W: sp.Matrix
    B: sp.Matrix
    regularization: str
    reading: str
    classes: list
    losses: list
    margin: object
    cases: list

    @property
    def N(self):
        return self.W.rows

    @property
    def D(self):
        return self.W.cols


# ------------------------------------------------------------------------ reading ---

def read(question) -> Problem:
    W = question.matrix("W")
    N, D = W.shape
    if N < 2:
        raise question.error("W", "softmax needs at least two classes (rows of W)")
    if N > 26 or D > 64:
        raise question.error("W", "at most 26 classes and 64 inputs")
    B = question.matrix("B")
    if B.rows == 1 and B.cols == N and N > 1:
        B = B.T
    if B.shape != (N, 1):
        raise question.error("B", f"expected {N} biases (one per row of W), got a {B.rows}x{B.cols} matrix")
    reg = question.get("regularization", str, default=None)
    if reg is None:
        reg = "none"
        if question.has("score") and "|" in question.get("score", str):
            reg = "l1"
    reg = reg.strip().lower()
    if reg not in REGULARIZATIONS:
        raise question.error("regularization", f"unknown regularization '{reg}' (known: l1, l2, none)")
    reading = question.get("reading", str, default="row").strip().lower()
    if reading not in READINGS:
        raise question.error("reading", "expected 'row' (each class's own row) or 'all' (every entry of W)")
    if question.has("score"):
        display_tex(question, "score")
    classes = question.get("classes", list, default=None)
    if classes is None:
        classes = [str(k + 1) for k in range(N)]
    else:
        if len(classes) != N or not all(isinstance(c, str) and c.strip() for c in classes):
            raise question.error("classes", f"expected {N} class names (strings), one per row of W")
        if len(set(classes)) != N:
            raise question.error("classes", "class names must be distinct")
        if any(len(c) > 24 for c in classes):
            raise question.error("classes", "class names of at most 24 characters")
    raw_loss = question.get("loss", (str, list), default="cross_entropy")
    raw_loss = [raw_loss] if isinstance(raw_loss, str) else raw_loss
    losses = []
    for name in raw_loss:
        if not isinstance(name, str) or name.strip().lower() not in LOSSES:
            raise question.error("loss", f"unknown loss '{name}' (known: cross_entropy, hinge)")
        canon = LOSSES[name.strip().lower()]
        if canon not in losses:
            losses.append(canon)
    if not losses:
        raise question.error("loss", "name at least one loss")
    margin = question.number("margin", default=sp.Integer(1))
    if margin < 0:
        raise question.error("margin", "the hinge margin must not be negative")
    if question.has("margin") and "hinge" not in losses:
        raise question.error("margin", "a margin needs the hinge loss")

    tables = question.get("case", list, default=None)
    if not tables:
        raise question.error("case", "no [[question.case]] tables: name at least one input vector")
    cases, seen = [], set()
    for index, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            raise question.error("case", f"case #{index} is not a table")
        cid = table.get("id", None)
        if not isinstance(cid, str) or not _CASE_ID.fullmatch(cid):
            raise question.error(f"case #{index}.id", "each case needs an 'id' (letters, digits, '-', '_')")
        if cid in seen:
            raise question.error(f"case.{cid}.id", "duplicate case id")
        seen.add(cid)
        for key in table:
            if key not in CASE_KEYS:
                raise question.error(f"case.{cid}.{key}", "unknown key in a case (known: id, x, regularization, "
                                                         "label, text)")
        if "x" not in table:
            raise question.error(f"case.{cid}.x", "missing input vector x")
        try:
            x = parse_matrix(table["x"])
        except LatexError as exc:
            raise question.error(f"case.{cid}.x", exc.message) from None
        if x.rows != 1 and x.cols != 1:
            raise question.error(f"case.{cid}.x", f"expected a vector, got a {x.rows}x{x.cols} matrix")
        x = sp.Matrix(x).reshape(len(x), 1)
        if x.rows != D:
            raise question.error(f"case.{cid}.x", f"x has {x.rows} entries but W has {D} columns")
        r = table.get("regularization", True)
        if isinstance(r, bool):
            case_reg = reg if r else "none"
        elif isinstance(r, str) and r.strip().lower() in REGULARIZATIONS:
            case_reg = r.strip().lower()
        else:
            raise question.error(f"case.{cid}.regularization", "expected true, false, or l1 / l2 / none")
        label = table.get("label", None)
        if label is not None:
            if isinstance(label, bool):
                raise question.error(f"case.{cid}.label", "expected a class number or name")
            if isinstance(label, int):
                if not 1 <= label <= N:
                    raise question.error(f"case.{cid}.label", f"class numbers run from 1 to {N}")
                label = label - 1
            elif isinstance(label, str) and label in classes:
                label = classes.index(label)
            elif isinstance(label, str) and label.strip().isdigit() and 1 <= int(label) <= N:
                label = int(label) - 1
            else:
                raise question.error(f"case.{cid}.label", f"unknown class '{label}'")
        text = table.get("text", "")
        if not isinstance(text, str):
            raise question.error(f"case.{cid}.text", "expected a string")
        cases.append(Case(cid, x, case_reg, label, text))
    return Problem(W, B, reg, reading, classes, losses, margin, cases)


# ------------------------------------------------------------------- the algebra ---

def reg_terms(p: Problem, kind):
    """The regularization value added to each class's score, exact (a list of N values)."""
    if kind == "none":
        return [sp.Integer(0)] * p.N
    f = (lambda v: abs(v)) if kind == "l1" else (lambda v: v ** 2)
    rows = [sum((f(v) for v in p.W.row(n)), sp.Integer(0)) for n in range(p.N)]
    if p.reading == "all":
        total = sum(rows, sp.Integer(0))
        return [total] * p.N
    return rows


def reg_derivative(p: Problem, kind, g):
    """dL/dW contributed by the regularization term, given g = dL/ds (exact N x D matrix)."""
    N, D = p.N, p.D
    if kind == "none":
        return sp.zeros(N, D)
    d = (lambda v: sp.sign(v)) if kind == "l1" else (lambda v: 2 * v)
    if p.reading == "all":
        total = sp.expand(sum(g, sp.Integer(0)))   # exactly 0 for both losses: expand cancels the terms
        return sp.Matrix(N, D, lambda n, i: d(p.W[n, i]) * total)
    return sp.Matrix(N, D, lambda n, i: d(p.W[n, i]) * g[n])


# ------------------------------------------------------------------------- solving ---

def solve(question) -> Solution:
    p = read(question)
    sol = Solution(question.id, question.kind)
    N, D = p.N, p.D
    Wsym = [[sp.Symbol(f"W_{{{n + 1},{i + 1}}}") for i in range(D)] for n in range(N)]
    xsym = [sp.Symbol(f"x_{i + 1}") for i in range(D)]
    _intro(sol, question, p, Wsym)
    regs = {kind: reg_terms(p, kind) for kind in REGULARIZATIONS}
    summary = []
    for case in p.cases:
        summary.append(_case(sol, question, p, case, regs[case.regularization], Wsym, xsym))
    _summary(sol, p, summary)
    return sol


def _reg_symbol(n):
    return sp.Symbol(f"r_{n + 1}")


def _intro(sol, question, p, Wsym):
    N, D = p.N, p.D
    sec = sol.section("The score function and how its extra term is read")
    if question.has("score"):
        sec.add(Text("The score function as given:"), Math(display_tex(question, "score")))
    used = {c.regularization for c in p.cases}
    if p.regularization == "none" and used == {"none"}:
        sec.add(Text("The scores are plain linear functions, ", Tex(r"s_n = \mathbf{w}_n \cdot \mathbf{x} + B_n"),
                     f", for the {N} classes n = 1..{N}, where ", Tex(r"\mathbf{w}_n"), " is row n of W."))
    else:
        kinds = sorted(used - {"none"})
        norm = {"l1": r"\lVert \mathbf{w}_n \rVert_1 = \sum_{i=1}^{D} |W_{n,i}|",
                "l2": r"\lVert \mathbf{w}_n \rVert_2^2 = \sum_{i=1}^{D} W_{n,i}^2"}
        for kind in kinds:
            if p.reading == "row":
                sol.assume(Text("The term ", Tex(r"\sum_{i=1}^D |w_{N,i}|" if kind == "l1" else r"\sum_i w_{N,i}^2"),
                                " is read with N as the class index: each class adds the ",
                                "L1 norm" if kind == "l1" else "squared L2 norm", " of its own row of W to its own "
                                "score, ", Tex(r"s_n = \mathbf{w}_n \cdot \mathbf{x} + B_n + r_n"), " with ",
                                Tex("r_n = " + norm[kind].split("=", 1)[0].strip()), "."))
            else:
                sol.assume(Text("The term is read as one constant over every entry of W, ",
                                Tex(r"r = \sum_{n,i} |W_{n,i}|" if kind == "l1" else r"r = \sum_{n,i} W_{n,i}^2"),
                                ", added to every class's score (spec field reading = 'all')."))
        sec.add(Text("Row n of W holds class n's weights ", Tex(r"\mathbf{w}_n"), ". The extra term of each score is"
                     + (" its row's norm:" if p.reading == "row" else " one constant for all classes:")))
        for kind in kinds:
            vals = reg_terms(p, kind)
            f = (lambda s: sp.Abs(s)) if kind == "l1" else (lambda s: s ** 2)
            if p.reading == "row":
                for n in range(N):
                    terms_sym = [f(Wsym[n][i]) for i in range(D)]
                    terms_num = [sp.Abs(UE(v), evaluate=False) if kind == "l1" else sp.Pow(UE(v), 2, evaluate=False)
                                 for v in p.W.row(n)]
                    sec.add(Step("", lhs=_reg_symbol(n), formula=sum_tex(terms_sym, per_line=D),
                                 substituted=sum_tex(terms_num, per_line=D), result=vals[n]))
            else:
                terms = [sp.Abs(UE(v), evaluate=False) if kind == "l1" else sp.Pow(UE(v), 2, evaluate=False)
                         for v in p.W]
                sec.add(Step("", lhs=sp.Symbol("r"), formula=Tex(r"\sum_{n,i} " + ("|W_{n,i}|" if kind == "l1"
                                                                                   else "W_{n,i}^2")),
                             substituted=sum_tex(terms, per_line=D), result=vals[0]))
        # the shift-invariance remark, tied to the cases of this exam
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
        sec.add(Text("Remark (shift invariance). Softmax ignores any amount c added equally to every score:"),
                Math(Tex(r"\frac{e^{s_k + c}}{\sum_j e^{s_j + c}} = \frac{e^{c}\, e^{s_k}}{e^{c} \sum_j e^{s_j}}"
                         r" = \frac{e^{s_k}}{\sum_j e^{s_j}}.")))
        if p.reading == "row":
            sec.add(Text("So if the term were read as one constant over all of W (here ", Tex("r = " + tex(total)),
                         " for every class), it would change the scores but not the probabilities." + twin_text))
        else:
            sec.add(Text("Here the term is read as one constant over all of W, ", Tex("r = " + tex(total)),
                         " for every class: it changes the scores but not the probabilities." + twin_text))
        sec.add(Text("Remark. In usual L1 regularization the penalty ", Tex(r"\lambda \lVert W \rVert_1"),
                     " is added to the loss, not to the scores; it changes training, not the class probabilities "
                     "of a given W. The answers below follow the formula as written."))


def _twin_cases(p):
    pairs = []
    for i, a in enumerate(p.cases):
        for b in p.cases[i + 1:]:
            if a.x == b.x and a.regularization != b.regularization:
                pairs.append((a.id, b.id))
    return pairs


def _case(sol, question, p, case, regs, Wsym, xsym):
    N, D = p.N, p.D
    cid = case.id
    part = cid if len(cid) <= 3 else None
    with_reg = case.regularization != "none"
    title = "Scores and class probabilities" + ("" if with_reg or p.regularization == "none"
                                                else " (without the regularization term)") \
        + ("" if part else f": case {cid}")
    sec = sol.section(title, part=part)
    if case.text:
        sec.add(Text(case.text))
    sec.add(Text("Input ", Tex(r"\mathbf{x} = " + vector_tex(case.x)[1]), "; ",
                 *(("the term ", Tex("r_n" if p.reading == "row" else "r"), " is included.") if with_reg else
                   ("no regularization term.",))))
    # scores
    s = []
    per_line = D + 2 if D <= 6 else 5
    for n in range(N):
        terms_sym = [Wsym[n][i] * xsym[i] for i in range(D)] + [sp.Symbol(f"B_{n + 1}")]
        terms_num = [product(p.W[n, i], case.x[i]) for i in range(D)] + [UE(p.B[n])]
        if with_reg:
            terms_sym.append(_reg_symbol(n) if p.reading == "row" else sp.Symbol("r"))
            terms_num.append(UE(regs[n]))
        value = sum((p.W[n, i] * case.x[i] for i in range(D)), sp.Integer(0)) + p.B[n] + regs[n]
        s.append(value)
        named = p.classes[n] != str(n + 1)
        sec.add(Step(f"Score of class {p.classes[n]} (row {n + 1} of W):" if named else
                     "The scores, one class (one row of W) at a time:" if n == 0 else "",
                     lhs=sp.Symbol(f"s_{n + 1}"), formula=sum_tex(terms_sym, per_line),
                     substituted=sum_tex(terms_num, per_line), result=value))
    s = sp.Matrix(s)
    if any(abs(v) > MAX_SCORE for v in s):
        raise question.error(f"case.{cid}.x", f"a score beyond +-10^{int(math.log10(MAX_SCORE))}: too large "
                                              "for an exam (check the magnitudes of W, B and x)")
    sol.answer(f"{cid}.scores", s)

    # softmax with the max shift
    m = max(s)
    kmax = list(s).index(m)
    shifted = [v - m for v in s]
    exps = [sp.exp(d) for d in shifted]
    total = sp.Add(*exps)
    probs = sp.Matrix([e / total for e in exps])
    sec.add(Text("Softmax. Multiplying the numerator and the denominator by ", Tex(r"e^{-m}"), " with ",
                 Tex(r"m = \max_k s_k = s_{" + str(kmax + 1) + "} = " + tex(m)),
                 " changes nothing and keeps every exponent at most 0, so nothing overflows:"))
    sec.add(Math(Tex(r"p_k = \frac{e^{s_k}}{\sum_j e^{s_j}} = \frac{e^{s_k - m}}{\sum_j e^{s_j - m}}")))
    sec.add(Step("The denominator:", lhs=Tex(r"\sum_j e^{s_j - m}"),
                 formula=sum_tex([sp.exp(UE(d), evaluate=False) for d in shifted], per_line=6), result=total))
    rows = []
    for k in range(N):
        e_text = tex(exps[k]) if exps[k] == 1 else tex(exps[k]) + " " + " ".join(value_tex(exps[k]))
        rows.append([p.classes[k], tex(s[k]), tex(shifted[k]), Tex(e_text),
                     Tex(" ".join(value_tex(probs[k])).lstrip("= "))])
    sec.add(Table(header=["class k", Tex("s_k"), Tex("s_k - m"), Tex("e^{s_k - m}"),
                          Tex(r"p_k = e^{s_k - m} / \sum_j e^{s_j - m}")],
                  rows=rows, align="c" + "r" * 4))
    sol.answer(f"{cid}.probs", probs)
    # the sum is 1 by construction (the numerators are the denominator's terms)
    rounded = [float(sp.N(v, 20)) for v in probs]
    sec.add(Step("The probabilities sum to 1: the numerators are exactly the terms of the denominator.",
                 lhs=Tex(r"\sum_k p_k"), formula=Tex(r"\frac{\sum_k e^{s_k - m}}{\sum_j e^{s_j - m}}"),
                 result=sp.Integer(1)))
    sec.add(Text("With the rounded values: ", Tex(" + ".join(value_tex(v)[1] for v in probs)
                                                  + r" \approx " + f"{sum(rounded):.4f}"), "."))
    ties = [k for k in range(N) if s[k] == m]
    predicted = ties[0] + 1
    sol.answer(f"{cid}.predicted", predicted)
    tie_note = ""
    if len(ties) > 1:
        tie_note = (" Classes " + ", ".join(p.classes[k] for k in ties) + " tie for the largest score; the first "
                    "is taken.")
        sol.assume(f"Case {cid}: a tie for the largest probability is broken by taking the first class.")
    sec.add(Text("Predicted class: the largest probability belongs to the largest score, ",
                 Tex(r"\hat{y} = \arg\max_k p_k = " + (tex(predicted) if p.classes[ties[0]] == str(predicted)
                                                       else tex(predicted) + r"\ (\text{class " +
                                                       _tex_text(p.classes[ties[0]]) + "})")),
                 ", with ", Tex(f"p_{{{predicted}}} " + " ".join(value_tex(probs[ties[0]]))), "." + tie_note))

    if case.label is not None:
        for index, loss in enumerate(p.losses):
            prefix = cid if index == 0 else f"{cid}.{loss}"
            _loss(sol, sec, p, case, s, shifted, probs, exps, loss, prefix)
    return {"id": cid, "probs": rounded, "predicted": predicted, "label": case.label,
            "regularization": with_reg}


def _tex_text(name):
    """A class name for use inside \\text{...}: TeX's special characters escaped, the rest dropped."""
    out = []
    for ch in name:
        if ch in "&%$#_{}":
            out.append("\\" + ch)
        elif ch.isprintable() and ch not in "\\^~":
            out.append(ch)
    return "".join(out) or "?"


def _loss(sol, sec, p, case, s, shifted, probs, exps, loss, prefix):
    N, D = p.N, p.D
    y = case.label
    onehot = sp.Matrix([1 if k == y else 0 for k in range(N)])
    label_name = p.classes[y]
    sec.add(Text(f"The true label is class {label_name}" + (f" (k = {y + 1})" if label_name != str(y + 1) else "")
                 + f": the {LOSS_TITLES[loss]} loss and its gradients."))
    if loss == "cross_entropy":
        total = sp.Add(*exps)
        others = sp.Add(*[exps[j] for j in range(N) if j != y])   # sum_j e^{s_j - m} - e^{s_y - m}
        # when s_y is the maximum, L = ln(1 + others) with others possibly ~e^-1000: log1p keeps it exact
        L = log1p(others) if shifted[y] == 0 else -(shifted[y]) + sp.log(total)
        inner = sum_tex([sp.exp(UE(d), evaluate=False) for d in shifted], per_line=6)
        sec.add(Step("", lhs=sp.Symbol("L"),
                     formula=Tex(r"-\ln p_y = \ln \sum_j e^{s_j - m} - (s_y - m)"),
                     substituted=Tex(r"\ln\Big(" + inner + r"\Big) - \left(" + tex(shifted[y]) + r"\right)"),
                     result=L))
        # p_y - 1 written as -(the other terms) / (the sum): no cancellation when p_y is 1 to many digits
        g = sp.Matrix([-others / total if k == y else probs[k] for k in range(N)])
        rel, body = vector_tex(g)
        sec.add(Text("The gradient with respect to the scores is the classic ", Tex(r"\mathbf{p} - \mathbf{e}_y"),
                     " (the one-hot vector of the label subtracted from the probabilities):"),
                Step("", lhs=Tex(r"\mathbf{g} = \frac{\partial L}{\partial \mathbf{s}}"),
                     formula=Tex(r"\mathbf{p} - \mathbf{e}_{" + str(y + 1) + "}"),
                     result=Tex(body), relation=rel))
    else:
        delta = p.margin
        margins = [s[j] - s[y] + delta for j in range(N)]
        L = sum((sp.Max(0, margins[j]) for j in range(N) if j != y), sp.Integer(0))
        terms_sym = [sp.Max(0, sp.Symbol(f"s_{j + 1}") - sp.Symbol(f"s_{y + 1}") + sp.Symbol(r"\Delta"),
                            evaluate=False) for j in range(N) if j != y]
        terms_num = [sp.Max(0, sp.Add(UE(s[j]), sp.Mul(-1, UE(s[y]), evaluate=False), UE(delta), evaluate=False),
                            evaluate=False) for j in range(N) if j != y]
        sec.add(Step("", lhs=sp.Symbol("L"),
                     formula=sum_tex(terms_sym, per_line=3), substituted=sum_tex(terms_num, per_line=3), result=L))
        if any(margins[j] == 0 for j in range(N) if j != y):
            sol.assume(f"Case {case.id}: where a hinge term sits exactly at its kink (margin 0) its derivative "
                       "is taken as 0.")
        active = [j for j in range(N) if j != y and margins[j] > 0]
        g = sp.Matrix([(1 if k in active else 0) if k != y else -len(active) for k in range(N)])
        sec.add(Text("With margin ", Tex(r"\Delta = " + tex(delta)), ", each class j whose term is positive adds 1 to ",
                     Tex(r"\partial L/\partial s_j"), " and subtracts 1 from ", Tex(r"\partial L/\partial s_y"),
                     ": " + (f"here {len(active)} term(s) are active" if active else "no term is active")
                     + ("" if not active else " (classes " + ", ".join(p.classes[j] for j in active) + ")") + "."),
                Step("", lhs=Tex(r"\mathbf{g} = \frac{\partial L}{\partial \mathbf{s}}"),
                     result=Tex(vector_tex(g)[1]), relation="="))
    sol.answer(f"{prefix}.loss", L)
    sol.answer(f"{prefix}.grad.scores", g)
    # into W and B
    reg = case.regularization
    gW = g * case.x.T + reg_derivative(p, reg, g)
    if reg == "none":
        formula = Tex(r"\mathbf{g}\, \mathbf{x}^T")
        substituted = Tex(r"\mathbf{g} \cdot " + tex(case.x.T))
        why = Text("Each score is linear in its own row, ", Tex(r"\partial s_n / \partial W_{n,i} = x_i"), ":")
    else:
        dname = {"l1": r"\operatorname{sign}(W_{n,i})", "l2": r"2 W_{n,i}"}[reg]
        dmat = (sp.Matrix(N, D, lambda n, i: sp.sign(p.W[n, i])) if reg == "l1" else 2 * p.W)
        if p.reading == "row":
            M = sp.Matrix(N, D, lambda n, i: case.x[i]) + dmat
            formula = Tex(r"\operatorname{diag}(\mathbf{g})\, \big(\mathbf{1}\,\mathbf{x}^T + "
                          + (r"\operatorname{sign}(W)" if reg == "l1" else "2W") + r"\big)")
            substituted = Tex(r"\operatorname{diag}(\mathbf{g}) \cdot " + tex(M))
            why = Text("The score of class n depends on row n twice, through the product and through the norm "
                       "term: ", Tex(r"\partial s_n / \partial W_{n,i} = x_i + " + dname),
                       (", with sign(0) = 0 taken (a subgradient) where a weight is 0:" if reg == "l1" and
                        any(v == 0 for v in p.W) else ":"))
            if reg == "l1" and any(v == 0 for v in p.W):
                sol.assume("Where a weight is exactly 0, the derivative of its |w| term is taken as sign(0) = 0 "
                           "(a subgradient).")
        else:
            formula = Tex(r"\mathbf{g}\,\mathbf{x}^T + \Big(\sum_n g_n\Big) "
                          + (r"\operatorname{sign}(W)" if reg == "l1" else "2W"))
            substituted = None
            why = Text("Every score contains the same constant r, so each weight also feeds every score: ",
                       Tex(r"\partial s_n / \partial W_{m,i} = \delta_{nm} x_i + " + dname.replace("n,i", "m,i")),
                       "; the second part is multiplied by ", Tex(r"\sum_n g_n = " + tex(sp.expand(sum(g)))), ":")
    sec.add(why, Step("", lhs=Tex(r"\frac{\partial L}{\partial W}"), formula=formula, substituted=substituted,
                      result=gW))
    sec.add(Step("The biases enter each score with coefficient 1:", lhs=Tex(r"\frac{\partial L}{\partial \mathbf{B}}"),
                 formula=Tex(r"\mathbf{g}"), result=Tex(vector_tex(g)[1]), relation=vector_tex(g)[0]))
    sol.answer(f"{prefix}.grad.W", gW)
    sol.answer(f"{prefix}.grad.B", g)


def _summary(sol, p, summary):
    sec = sol.section("All cases side by side")
    top = max(max(c["probs"]) for c in summary)
    ymax = min(1.0, math.ceil(top * 10 - 1e-9) / 10) if top > 0 else 1.0
    ymax = max(ymax, 0.1)
    if p.N <= 8:
        header = ["case"] + [Tex(f"p_{{{k + 1}}}") for k in range(p.N)] + ["predicted"]
        rows = [[c["id"]] + [Tex(f"{v:.4f}") for v in c["probs"]] + [p.classes[c["predicted"] - 1]]
                for c in summary]
        align = "l" + "r" * p.N + "c"
    else:       # many classes: one row per class, one column per case
        header = ["class"] + [f"case {c['id']}" for c in summary]
        rows = [[p.classes[k]] + [Tex(f"{c['probs'][k]:.4f}" + (r"^{\ast}" if c["predicted"] == k + 1 else ""))
                                  for c in summary] for k in range(p.N)]
        align = "l" + "r" * len(summary)
    sec.add(Table(header=header, rows=rows, align=align, small=p.N > 6 or len(summary) > 6,
                  caption="Probabilities rounded to four decimals." + ("" if p.N <= 8 else
                                                                      " The predicted class is starred.")))
    data = {
        "ymax": num(ymax),
        "classes": list(p.classes),
        "xticks": ",".join(str(k + 1) for k in range(p.N)),
        "xmax": num(p.N + 0.6),
        "per_row": 2 if p.N <= 6 else 1,
        "width": "0.46\\linewidth" if p.N <= 6 else "0.9\\linewidth",
        "cases": [{"id": c["id"], "bars": [{"k": k + 1, "p": num(v), "pred": k + 1 == c["predicted"]}
                                           for k, v in enumerate(c["probs"])],
                   "label": c["label"] + 1 if c["label"] is not None else None,
                   "note": "" if c["regularization"] else " (no reg.)"} for c in summary],
    }
    sec.add(Figure("bars", data, caption="Class probability distributions, every case on the same vertical scale "
                                         f"(0 to {num(ymax)}); the predicted class is the dark bar."))


# -------------------------------------------------------------------- independent ---

def independent(question) -> dict:
    """Every answer again, without the symbolic solution: exact scores, mpmath log-sum-exp, complex steps."""
    return softmax_check.answers(read(question))
