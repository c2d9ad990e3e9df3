#!/usr/bin/env python3
# Provenance: copied from the project's shared ../shared/lms/canvas_check.py (Canvas's converter,
# Instructure's QTIMigrationTool, vendored beside it in QTIMigrationTool/ under its BSD licence,
# plus Canvas's importer and grading rules), so that the suite does not depend on ../shared.
# symdl's changes, marked "symdl:" below: a numerical item whose text asks for the number "in
# units of 10<sup>-k</sup>" is typed as the value times 10^k (as its text tells the student), and
# check() returns the results for tests/lms/test_canvas_import.py; the entries checked are those of
# the final answers and of every answer the rubric gives points (graded intermediates are asked too);
# points() sums the points Canvas imports. Everything else is as shared.
"""How Canvas would import and grade the numerical items of a QTI 1.2 zip.

    python canvas_check.py CANVAS_QTI_ZIP ANSWERS_JSON [--json OUT]

Needs lxml (the project's test extra has it). Steps, each as Canvas does it:

1. Convert the QTI 1.2 package to QTI 2.1 with Instructure's QTIMigrationTool (vendored beside
   this file; the command Canvas runs: migrate.py --ucvars --nogui --overwrite --cpout=OUT IN).
2. Read each numerical item's answers as Canvas's importer does
   (gems/plugins/qti_exporter/lib/qti/numeric_interaction.rb: get_answer_values,
   get_canvas_answers): an exact answer is read only inside <or>, a range only inside <and>;
   an item whose answers are written any other way imports with NO correct answer.
3. Grade typed numbers as app/models/quizzes/quiz_question/numerical_question.rb does
   (exact_answer: [exact - margin, exact + margin]; range_answer: [start, end]), after the
   classic quiz page's input handler has rounded what the student typed to 4 decimal places
   (ui/features/take_quiz/jquery/index.js: toFixed(4)).

For each numeric entry of answers.json that the zip asks (matched in order, per question), it
tries: the exact value; the value moved by 0.9 x its stated tolerance both ways (a correctly
rounded student answer); each listed mistake whose value differs from the right one by more
than the tolerance. Prints one line per failing item and a summary; exits 1 if any item has no
answer, rejects the exact value or a value within its tolerance, or accepts a mistake.
"""
from __future__ import annotations

import argparse
import html
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lxml import etree

HERE = os.path.dirname(os.path.abspath(__file__))
MIGRATE = os.path.join(HERE, "QTIMigrationTool", "migrate.py")


def local(tag):
    return tag.rsplit("}", 1)[-1]


def find_all(node, name, **attrs):
    return [el for el in node.iter() if isinstance(el.tag, str) and local(el.tag) == name
            and all(el.get(k) == v for k, v in attrs.items())]


def first(node, *path):
    nodes = [node]
    for step in path:
        name, attrs = (step, {}) if isinstance(step, str) else step
        nodes = [e for n in nodes for e in find_all(n, name, **attrs) if e is not n]
        if not nodes:
            return None
    return nodes[0]


def canvas_answers(doc):
    """numeric_interaction.rb, get_answer_values then get_canvas_answers."""
    answers = []
    gte = first(doc, "responseCondition", "gte", "baseValue")
    lte = first(doc, "responseCondition", "lte", "baseValue")
    if gte is not None and lte is not None:
        answers.append({"type": "range_answer", "start": Decimal(gte.text), "end": Decimal(lte.text)})
    else:
        eq = first(doc, "responseCondition", "equal", "baseValue")
        if eq is not None:
            answers.append({"type": "exact_answer", "exact": Decimal(eq.text), "margin": Decimal(0)})
    for cond in find_all(doc, "responseIf") + find_all(doc, "responseElseIf"):
        or_node = first(cond, "or")
        if or_node is not None:
            exact = first(or_node, "stringMatch", "baseValue")
            if exact is None:
                continue
            upper = first(or_node, "and", ("customOperator", {"class": "varlte"}), "baseValue")
            ans = {"type": "exact_answer", "exact": Decimal(exact.text), "margin": Decimal(0)}
            if upper is not None:
                ans["margin"] = Decimal(upper.text) - Decimal(exact.text)
            answers.append(ans)
        else:
            and_node = first(cond, "and")
            if and_node is None:
                continue
            lo = first(and_node, ("customOperator", {"class": "vargte"}), "baseValue")
            hi = first(and_node, ("customOperator", {"class": "varlte"}), "baseValue")
            if lo is not None or hi is not None:
                ans = {"type": "range_answer"}
                if lo is not None:
                    ans["start"] = Decimal(lo.text)
                if hi is not None:
                    ans["end"] = Decimal(hi.text)
                answers.append(ans)
    return answers


def accepted(answers, typed: str) -> bool:
    """numerical_question.rb on what the quiz page sends (toFixed(4) of what was typed)."""
    try:
        x = Decimal(float(typed)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, OverflowError):
        return False
    for a in answers:
        if a["type"] == "exact_answer":
            if a["exact"] - a["margin"] <= x <= a["exact"] + a["margin"]:
                return True
        else:
            lo, hi = a.get("start"), a.get("end")
            if (lo is None or x >= lo) and (hi is None or x <= hi):
                return True
    return False


UNIT = re.compile(r"in units of 10<sup>-(\d+)</sup>")     # symdl: the unit an item asks its number in


def item_unit(doc) -> int:
    """symdl: k when the item's text asks for the number in units of 10^-k, else 0."""
    body = [el for el in doc.iter() if isinstance(el.tag, str) and local(el.tag) == "itemBody"]
    text = html.unescape("".join(body[0].itertext())) if body else ""
    found = UNIT.findall(text)
    return int(found[-1]) if found else 0


def typed(x, k) -> str:
    """symdl: what a student types for the value x asked in units of 10^-k."""
    return repr(x) if not k else str(Decimal(repr(x)).scaleb(k))


def flat(v):
    if isinstance(v, list):
        return [y for x in v for y in flat(x)]
    return [v]


def entries(question):
    """Every numeric entry of a question's final answers and of its answers the rubric gives
    points (symdl: graded intermediates are asked too), in answers.json order:
    (name, value, tolerance, [mistake values])."""
    out = []
    for name, a in question.get("answers", {}).items():
        if not isinstance(a, dict) or not (a.get("final") or a.get("points")):     # symdl: or graded
            continue
        values = flat(a.get("value"))
        if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            continue
        tol = a.get("tolerance") or {}
        abs_t = flat(tol.get("abs", 0)) if tol else [0] * len(values)
        rel_t = flat(tol.get("rel", 0)) if tol else [0] * len(values)
        mistakes = [flat(m.get("value")) for m in a.get("mistakes", [])]
        for i, v in enumerate(values):
            t = max(abs_t[i] if i < len(abs_t) else 0, (rel_t[i] if i < len(rel_t) else 0) * abs(v))
            ms = [m[i] for m in mistakes if i < len(m) and isinstance(m[i], (int, float))]
            out.append((f"{name}[{i}]" if len(values) > 1 else name, v, t, ms))
    return out


def convert(zip_path, work):
    src, dst = os.path.join(work, "qti12"), os.path.join(work, "qti21")
    zipfile.ZipFile(zip_path).extractall(src)
    run = subprocess.run([sys.executable, MIGRATE, "--ucvars", "--nogui", "--overwrite", f"--cpout={dst}", src],
                         capture_output=True, text=True, cwd=os.path.dirname(MIGRATE))
    if not os.path.isfile(os.path.join(dst, "imsmanifest.xml")):
        sys.exit(f"QTIMigrationTool wrote no package:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    return dst


VARIANT = re.compile(r"\(variant ([^)<]+)\)")        # symdl: the variant an item states in its text


def item_variant(doc):
    """symdl: the variant named in the item's text ("(variant 001)"), None without variants."""
    body = [el for el in doc.iter() if isinstance(el.tag, str) and local(el.tag) == "itemBody"]
    found = VARIANT.findall(html.unescape("".join(body[0].itertext()))) if body else []
    return found[0] if found else None


def check(zip_path, answers_path):
    """(results, failing count, lines printed, item kinds): main()'s work, for a test (symdl).
    ``answers_path``: one answers.json, or {variant: its answers.json} for a zip of variants
    (each item matched against its own variant's answers, in order)."""
    paths = answers_path if isinstance(answers_path, dict) else {None: answers_path}
    by_variant = {v: {q["id"]: q for q in json.load(open(p))["questions"]} for v, p in paths.items()}
    with tempfile.TemporaryDirectory() as work:
        pkg = convert(zip_path, work)
        manifest = etree.parse(os.path.join(pkg, "imsmanifest.xml"))
        items = []
        for res in manifest.iter("{*}resource"):
            href = res.get("href") or ""
            if href.startswith("assessmentItems/"):
                doc = etree.parse(os.path.join(pkg, href))
                kind = [f.get("value") for f in doc.iter("{*}instructureField") if f.get("name") == "question_type"]
                items.append((doc.getroot().get("title") or "", kind[0] if kind else "?", doc))
    numeric = [(title, doc) for title, kind, doc in items if kind == "numerical_question"]
    by_question = {}
    for title, doc in numeric:
        variant = item_variant(doc) if len(paths) > 1 or None not in paths else None
        qid, _, rest = title.partition(" ")
        # symdl: matched per answer (the title's name before its [index]), so that the answers a
        # --multiple-choice export asks as choices do not shift the others
        by_question.setdefault((variant, qid, rest.split("[")[0]), []).append((title, doc))
    results, bad, lines = [], 0, []
    for (variant, qid, answer), found in by_question.items():
        want = [e for e in entries(by_variant.get(variant, {}).get(qid, {})) if e[0].split("[")[0] == answer]
        if len(want) != len(found):
            lines.append(f"{qid} {answer}: {len(found)} numerical items, {len(want)} numeric entries in answers.json; matched in order")
            bad += 1                                                       # symdl: a count that differs fails
        for (title, doc), (name, v, t, ms) in zip(found, want):
            answers = canvas_answers(doc)
            k = item_unit(doc)                                               # symdl
            row = {"item": title, "answer": name, "value": v, "tolerance": t, "unit": k, "has_answer": bool(answers),
                   "exact": accepted(answers, typed(v, k))}
            near = [v + 0.9 * t, v - 0.9 * t] if t else []
            row["within_tolerance"] = all(accepted(answers, typed(x, k)) for x in near)
            far = [m for m in ms if abs(m - v) > t * 1.000001]
            row["mistakes_accepted"] = [m for m in far if accepted(answers, typed(m, k))]
            ok = row["has_answer"] and row["exact"] and row["within_tolerance"] and not row["mistakes_accepted"]
            bad += not ok
            if not ok:
                why = ("no correct answer" if not row["has_answer"] else
                       "exact value rejected" if not row["exact"] else
                       "a value within the tolerance rejected" if not row["within_tolerance"] else
                       f"mistake accepted {row['mistakes_accepted'][:2]}")
                lines.append(f"FAIL {title}: {name} = {v} (tolerance {t:g}): {why}")
            results.append(row)
    kinds = {}
    for _, kind, _ in items:
        kinds[kind] = kinds.get(kind, 0) + 1
    lines.append(f"items: {len(items)} {kinds}; numerical items checked: {len(results)}; failing: {bad}")
    return results, bad, lines, kinds


def points(zip_path):
    """symdl: (the quiz's points_possible as Canvas reads it from assessment_meta.xml, the sum of the
    points_possible of every item as converted for Canvas's importer, {question id: its items' sum});
    with question groups each group counts once, at its points_per_item."""
    with tempfile.TemporaryDirectory() as work:
        pkg = convert(zip_path, work)
        manifest = etree.parse(os.path.join(pkg, "imsmanifest.xml"))
        items = {}
        for res in manifest.iter("{*}resource"):
            href = res.get("href") or ""
            if href.startswith("assessmentItems/"):
                doc = etree.parse(os.path.join(pkg, href))
                value = [f.get("value") for f in doc.iter("{*}instructureField") if f.get("name") == "points_possible"]
                items[doc.getroot().get("identifier")] = (doc.getroot().get("title") or "", Decimal(value[0]))
    archive = zipfile.ZipFile(zip_path)
    meta = next(n for n in archive.namelist() if n.endswith("assessment_meta.xml"))
    quiz = Decimal(first(etree.fromstring(archive.read(meta)), "points_possible").text)
    test = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".xml") and n != meta)
    root = etree.fromstring(archive.read(test))
    groups = [s for s in find_all(root, "section") if s.get("ident") != "root_section"]
    counted, total, by_question = set(), Decimal(0), {}
    for group in groups:                               # one item drawn per group: its points_per_item
        per_item = Decimal(first(group, "points_per_item").text)
        qid = (group.get("title") or "").split(" ")[0]
        total += per_item
        by_question[qid] = by_question.get(qid, Decimal(0)) + per_item
        counted.update(i.get("ident") for i in find_all(group, "item"))
    for ident, (title, value) in items.items():
        if ident not in counted:
            qid = title.split(" ")[0]
            total += value
            by_question[qid] = by_question.get(qid, Decimal(0)) + value
    return quiz, total, by_question


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("zip")
    ap.add_argument("answers")
    ap.add_argument("--json", help="write the per-item results here")
    args = ap.parse_args()
    results, bad, lines, _ = check(args.zip, args.answers)
    print("\n".join(lines))
    if args.json:
        json.dump(results, open(args.json, "w"), indent=1, default=str)
    sys.exit(1 if bad or not results else 0)


if __name__ == "__main__":
    main()
