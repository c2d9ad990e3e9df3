"""On line the whole training log is in the question (the paper shows an excerpt and hands the log
out on pages of its own): every row of DI504's log, none left out, no word of handing out."""

from __future__ import annotations

import html
import re

from symdl.derive import solve_exam
from symdl.export import content
from symdl.spec import default_spec


def test_the_whole_log_is_in_the_lms_question():
    report = solve_exam()
    q5 = next(r for r in report.results if r.question.id == "Q5")
    page = html.unescape(re.sub(r"<[^>]+>", " ", content.question_text(q5, math="tex")))
    flat = " ".join(page.split())
    rows = [l for l in (default_spec().parent / "q5-training-log.txt").read_text().splitlines()
            if l.split("\t")[0].strip().isdigit()]
    assert len(rows) == 101
    for row in rows:
        assert " ".join(row.split()) in flat, row
    assert "rows left out" not in flat and "handed out" not in flat
    assert "The training log (101 rows):" in flat
