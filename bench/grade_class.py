"""A synthetic DI504 class for ``symdl grade``: students as they write, made from answers.json.

Every number a student writes comes from answers.json's values (rounded to 2-5 significant
figures, or exactly), from answers.json's derived mistakes, or, for an error carried forward,
from the student's own wrong value pushed through DI504's questions again with numpy (written
out here, sharing no code with symdl): Q1's graph f = max([1, 0], exp(W x + [0, 1])), Q2's
neuron y = relu(W^T x + b), Q3's softmax, Q4's layer table (output sizes, weights, biases, total
learnables) and Q5's training-set size. Used by tests/pipeline/test_grade_class.py and by
bench/run.py's part 6; it never imports symdl.classgrade.
"""

from __future__ import annotations

import random
import re
import tomllib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "symdl" / "data" / "di504" / "di504.toml"

# DI504's given values (the exam sheet's numbers)
Q1 = dict(W=np.array([[-0.1, -0.5], [0.3, 0.2]]), x=np.array([0.3, -0.1]), c=np.array([1.0, 0.0]),
          b=np.array([0.0, 1.0]), u=np.array([1.0, 1.0]))
Q2 = dict(W=np.array([-0.1, -0.2, 0, -0.1, -0.3]), x=np.array([0.7, 0.9, 0.9, 0.2, 0.9]), b=0.5, u=-0.124)
Q5_BATCH = 32                     # MATLAB drops the last incomplete mini-batch: N from I B to I B + B - 1
_COLUMN = re.compile(r"^(Q\d+)\.(.+?)((?:\[\d+\])*)$")


def parse_column(column: str, answers: dict):
    """(question, answer, entry) of a numeric or yes/no column; (question, None, ()) for a criterion."""
    m = _COLUMN.match(column)
    qid, name, entry = m.group(1), m.group(2), tuple(int(i) for i in re.findall(r"\d+", m.group(3)))
    return (qid, name, entry) if name in answers.get(qid, {}) else (qid, None, ())


def at(value, entry):
    for i in entry:
        value = value[i]
    return value


def write(x, figures=None) -> str:
    """A number as a student writes it: as given (a whole number whole), or to ``figures`` figures."""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15 and figures is None):
        return str(int(x))
    if figures is None:
        return repr(float(x))
    return f"{float(x):.{figures}g}"


# ----------------------------------------------------------- the derivations, in numpy ----

def q1_values(given: dict) -> dict:
    """Every Q1 answer from the student's values in ``given`` where given (forward.z1..z4/output, grad.*)."""
    W, x, c, b, u = Q1["W"], Q1["x"], Q1["c"], Q1["b"], Q1["u"]
    g = {k: np.asarray(v, dtype=float) for k, v in given.items()}
    z1 = W @ x
    z1s = g.get("forward.z1", z1)
    z2 = z1s + b
    z2s = g.get("forward.z2", z2)
    z3 = np.exp(z2s)
    z3s = g.get("forward.z3", z3)
    z4 = np.maximum(c, z3s)          # the max's gradient reads its inputs only, not the student's z4
    g3 = u * np.where(z3s > c, 1.0, np.where(z3s == c, 0.5, 0.0))
    g3s = g.get("grad.z3", g3)
    g2 = g3s * z3s
    g2s = g.get("grad.z2", g2)
    g1s = g.get("grad.z1", g2s)
    out = {"forward.z1": z1, "forward.z2": z2, "forward.z3": z3, "forward.z4": z4, "output": z4,
           "grad.z3": g3, "grad.z2": g2, "grad.z1": g2s, "grad.W": np.outer(g1s, x), "grad.x": W.T @ g1s}
    return out


def q2_values(given: dict) -> dict:
    W, x, b, u = Q2["W"], Q2["x"], Q2["b"], Q2["u"]
    z = float(given.get("z", W @ x + b))
    dy = 1.0 if z > 0 else 0.0
    dys = float(given.get("dy_dz", dy))
    gz = float(given.get("grad.z", u * dys))
    return {"z": W @ x + b, "y": max(z, 0.0), "dy_dz": dy, "dead": dy == 0, "grad.z": u * dys,
            "grad.W": x * gz, "grad.b": gz, "grad.x": W * gz}


def softmax(s) -> np.ndarray:
    e = np.exp(np.asarray(s, dtype=float) - np.max(s))
    return e / e.sum()


def q3_values(given: dict) -> dict:
    return {f"{k.split('.')[0]}.probs": softmax(v) for k, v in given.items() if k.endswith(".scores")}


def layers(spec=SPEC) -> list:
    """DI504 Q4's layer table from the spec: (name, type, fields)."""
    data = tomllib.loads(Path(spec).read_text(encoding="utf-8"))
    q4 = next(q for q in data["question"] if q["id"] == "Q4")
    return [(t["name"], t["type"], t) for t in q4["layer"]]


def _pads(text):
    nums = [int(v) for v in re.findall(r"\d+", text)]
    return nums if len(nums) == 4 else nums * 2


def q4_values(given: dict, table: list) -> dict:
    """Every layer's output, weights and bias (MATLAB: H x W x C; conv k_h x k_w x C_in x F, bias 1 x 1 x F;
    fc out x in, bias out x 1), each layer from the student's output of the layer before where given;
    the total learnables from the student's weights and biases where given."""
    out, shape, total = {}, None, 0
    for name, kind, t in table:
        if kind == "input":
            new = list(t["size"])
        elif kind in ("conv", "maxpool"):
            kh, kw = t["size"][:2]
            top, bottom, left, right = _pads(t["padding"])
            sh, sw = t["stride"]
            h = (shape[0] + top + bottom - kh) // sh + 1
            w = (shape[1] + left + right - kw) // sw + 1
            new = [h, w, t["filters"] if kind == "conv" else shape[2]]
            if kind == "conv":
                out[f"{name}.weights"] = [kh, kw, shape[2], t["filters"]]
                out[f"{name}.bias"] = [1, 1, t["filters"]]
        elif kind == "fc":
            new = [1, 1, t["nodes"]]
            out[f"{name}.weights"] = [t["nodes"], int(np.prod(shape))]
            out[f"{name}.bias"] = [t["nodes"], 1]
        else:
            new = list(shape)
        out[f"{name}.output"] = new
        shape = [int(v) for v in given.get(f"{name}.output", new)]
        for key in ("weights", "bias"):
            if f"{name}.{key}" in out:
                total += int(np.prod(given.get(f"{name}.{key}", out[f"{name}.{key}"])))
    out["total.learnables"] = total
    return out


def q5_values(given: dict) -> dict:
    i = int(given.get("iterations_per_epoch", 155))
    return {"train_set_size.min": i * Q5_BATCH, "train_set_size.max": i * Q5_BATCH + Q5_BATCH - 1}


def recomputed(qid: str, given: dict, table=None) -> dict:
    """Every answer of question ``qid`` recomputed from the student's values in ``given``."""
    if qid == "Q1":
        return q1_values(given)
    if qid == "Q2":
        return q2_values(given)
    if qid == "Q3":
        return q3_values(given)
    if qid == "Q4":
        return q4_values(given, table if table is not None else layers())
    if qid == "Q5":
        return q5_values(given)
    return {}


# ------------------------------------------------------------------------ the class ----

class Writer:
    """Rows of cells (column -> text) filled from answers.json's values."""

    def __init__(self, answers_json: dict, columns: list, criteria: dict):
        self.answers = {q["id"]: q["answers"] for q in answers_json["questions"]}
        self.columns = [c for c in columns if c != "student"]
        self.where = {c: parse_column(c, self.answers) for c in self.columns}
        self.criteria = criteria          # column -> maximum points

    def row(self, figures=None, values=None, rng=None) -> dict:
        """Every cell: the right value (to ``figures`` figures for a number that is not whole),
        ``values`` ({(question, answer): value}) in place of the right ones, a criterion's points drawn."""
        values = values or {}
        cells = {}
        for column, (qid, name, entry) in self.where.items():
            if name is None:
                top = self.criteria[column]
                cells[column] = write(float(rng.randrange(int(top * 2) + 1)) / 2 if rng else top)
                continue
            value = values.get((qid, name), self.answers[qid][name]["value"])
            x = at(np.asarray(value).tolist() if isinstance(value, np.ndarray) else value, entry)
            if isinstance(x, (list, tuple)):           # a whole vector or shape in one cell: "2808 x 33 x 64"
                flat = np.asarray(x, dtype=object).ravel().tolist()
                cells[column] = " ".join(write(v, None if isinstance(v, bool) or float(v).is_integer() else figures)
                                         for v in flat)
                continue
            whole = isinstance(x, bool) or float(x).is_integer()
            cells[column] = write(x, None if whole else figures)
        return cells

    def has(self, qid, name) -> bool:
        return any(w[0] == qid and w[1] == name for w in self.where.values())


def _carried(w: Writer, qid: str, wrong: dict, table) -> dict:
    """{(question, answer): value}: ``wrong`` and every answer of the question recomputed from it."""
    found = recomputed(qid, wrong, table)
    values = {(qid, k): v for k, v in found.items() if k in w.answers[qid] and k not in wrong}
    values.update({(qid, k): v for k, v in wrong.items()})
    return values


def carried_cases(w: Writer, table) -> list:
    """(story, values) of students who carry a wrong earlier value forward, and of degenerate ones."""
    cases = [("Q2: z with the bias sign flipped (0.46), the rest from it", {"z": 0.46}),
             ("Q2: z = 0.96 (an arithmetic slip), the rest from it", {"z": 0.96}),
             ("Q3: case b's third score 3.42 (a slip), its probabilities from it",
              {"b.scores": [0.71, -1.41, 3.42, 4.36]}),
             ("Q4: padding counted once in conv1_1 (2805 rows), later sizes from it",
              {"conv1_1.output": [2805, 33, 64]}),
             ("Q4: pool2 of 77 rows, later sizes from it", {"pool2.output": [77, 33, 128]}),
             ("Q5: 150 iterations per epoch, the training set from it", {"iterations_per_epoch": 150}),
             ("Q3: case c's scores all 0 (degenerate: zero), its probabilities from them",
              {"c.scores": [0.0, 0.0, 0.0, 0.0]}),
             ("Q2: z = 46 (implausible), the rest from it", {"z": 46.0}),
             ("Q5: 1 iteration per epoch (degenerate), the training set from it", {"iterations_per_epoch": 1}),
             ("Q4: conv1_1 of 2808000 rows (implausible), later sizes from it",
              {"conv1_1.output": [2808000, 33, 64]})]
    if w.has("Q1", "forward.z1"):
        cases.append(("Q1: z1 = [0.2, 0.07], the later nodes from it", {"forward.z1": [0.2, 0.07]}))
    else:
        cases.append(("Q1: z1 = [0.2, 0.07] (not asked), output and gradients from it",
                      {"output": q1_values({"forward.z1": [0.2, 0.07]})["output"],
                       "grad.x": q1_values({"forward.z1": [0.2, 0.07]})["grad.x"],
                       "grad.W": q1_values({"forward.z1": [0.2, 0.07]})["grad.W"]}))
    out = []
    for story, wrong in cases:
        qid = story.split(":")[0]
        values = _carried(w, qid, {k: v for k, v in wrong.items()}, table) if qid != "Q1" or \
            w.has("Q1", "forward.z1") else {("Q1", k): v for k, v in wrong.items()}
        out.append((story, values))
    return out


def mistake_cases(w: Writer) -> list:
    """(story, values): one student per derived mistake (answers.json), in every answer it affects."""
    by_name = {}
    for qid, answers in w.answers.items():
        for name, answer in answers.items():
            for m in answer.get("mistakes", []):
                right = np.asarray(answer["value"], dtype=object)
                if np.asarray(m["value"], dtype=object).shape == right.shape:
                    by_name.setdefault((qid, m["name"]), {})[(qid, name)] = m["value"]
    return [(f"{qid}: mistake '{name}'", values) for (qid, name), values in sorted(by_name.items())]


def synthetic(answers_json: dict, columns: list, criteria: dict, count=60, seed=0, table=None) -> list:
    """[(student, cells, story)]: ``count`` students, each a story told in a few words."""
    rng = random.Random(seed)
    w = Writer(answers_json, columns, criteria)
    table = table if table is not None else layers()
    stories = [("all exact", {}, None)] * 3
    stories += [(f"every number to {f} figures", {}, f) for f in (2, 3, 4, 5) for _ in range(4)]
    stories += [(s, v, 5) for s, v in mistake_cases(w)]
    stories += [(s, v, 5) for s, v in carried_cases(w, table)]
    rows = []
    for story, values, figures in stories:
        rows.append([story, w.row(figures, values, rng)])
    changed = [s for s in stories if s[1]]
    while len(rows) < count - 6:
        story, values, _ = changed[rng.randrange(len(changed))]
        rows.append([story + ", every number to 3 figures", w.row(3, values, rng)])
    for k in range(5):
        cells = w.row(4, {}, rng)
        for column in rng.sample(list(cells), len(cells) // 4):
            cells[column] = ""
        rows.append([f"a quarter of the cells blank ({k + 1})", cells])
    cells = w.row(4, {}, rng)
    numeric = [c for c in cells if w.where[c][1] is not None and cells[c] not in ("yes", "no")]
    cells[numeric[0]], cells[numeric[1]], cells[numeric[2]] = "abc", "0,773", "1.2.3"
    rows.append(["three cells that are no numbers", cells])
    rows = rows[:count]
    return [(f"student{i + 1:03d}", cells, story) for i, (story, cells) in enumerate(rows)]


def csv_text(students: list, columns: list) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for name, cells, _ in students:
        writer.writerow([name] + [cells.get(c, "") for c in columns[1:]])
    return buffer.getvalue()


# ---------------------------------------------------------------- bench/run.py part 6 ----

def bench(count: int, work: Path, python: str) -> dict:
    """``grade`` of a synthetic DI504 class of ``count``: CPU time of reading the CSV and grading
    every student (this process, the exam derived once before), and of the whole command
    ``grade --no-pdf`` in a child (imports, derivation, grading, every feedback page, manifest)."""
    import json
    import resource
    import subprocess
    import time

    from symdl import classgrade
    from symdl.grading import rubric
    from symdl.classgrade import responses
    from symdl.solve import solve_exam
    from symdl.render import answers_json

    report = solve_exam()
    text = answers_json.render(report.exam, report.results)
    criteria = {i.column: i.points for r in report.results for i in rubric.items(r.question, r.solution)
                if i.answer is None}
    plans = classgrade.plans(report)
    columns = classgrade.columns(plans)
    students = synthetic(json.loads(text), columns, criteria, count=count, seed=1)
    path = work / "class.csv"
    path.write_text(csv_text(students, columns), encoding="utf-8")
    start = time.process_time()
    plans = classgrade.plans(report)
    rows = responses.read(path, {i.column: i for p in plans for i in p.items})
    grades = classgrade.grade_rows(report.exam, plans, rows)
    grade_cpu = time.process_time() - start
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    proc = subprocess.run([python, "-m", "symdl", "grade", "--responses", str(path), "--out", str(work / "graded"),
                           "--no-pdf"], cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"grade failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    return {"count": len(grades.students), "items": sum(len(p.items) for p in plans),
            "carried": sum(m.status == "carried" for s in grades.students for m in s.marks),
            "grade_cpu_s": grade_cpu, "command_cpu_s": (after.ru_utime - before.ru_utime) +
            (after.ru_stime - before.ru_stime), "command_wall_s": wall, "met": grade_cpu <= 10}
