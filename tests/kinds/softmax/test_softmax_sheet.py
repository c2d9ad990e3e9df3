"""The softmax question on the exam sheet: the score formula as the exam writes it, W, B and the four
inputs of DI504 Q3 (case d without the L1 term, as on the paper), and no score."""

from support import di504_question, sheet_of, sheet_text


def test_di504_q3_shows_w_b_and_the_cases():
    text = sheet_text(sheet_of(di504_question("Q3")))
    assert r"\sum_{i=1}^D |\mathbf{w}_{N,i}|" in text
    assert r"B = \left[\begin{matrix}-0.3 & 0.1 & -0.7 & 0.9\end{matrix}\right]^{T}" in text
    lines = [line for line in text.splitlines() if line[:3] in ("a) ", "b) ", "c) ", "d) ")]
    assert [line[0] for line in lines] == ["a", "b", "c", "d"]
    assert lines[1].endswith(r"\left[\begin{matrix}1.2 & 4.3 & 5.6 & 3.4 & 7.8\end{matrix}\right]^{T}")
    assert lines[3].endswith("without regularization") and not lines[2].endswith("regularization")
    # case a's scores are B plus the L1 term: 1.9, 1.6, 1.3, 2.2 in the DI504 key
    assert "1.9" not in text and "2.2" not in text
