"""The layer table on the exam sheet, checked against the DI504 paper (Q4, 1 Dec 2021): the given
columns filled, '?' where the student writes an output or a learnable, L1's learnables given."""

import pytest

from support import di504_question, one_question, sheet_of
from symdl.errors import SpecError
from symdl.solution import Table


def table(question):
    return next(item for item in sheet_of(question) if isinstance(item, Table))


def test_di504_q4_table_is_the_papers():
    t = table(di504_question("Q4"))
    rows = {row[1]: row for row in t.rows}
    assert len(t.rows) == 23 and t.role == "layers"
    assert rows["data"][4] == "3001 x 33 x 1"
    assert rows["conv1_1"][3] == ["filters: 64", "size: 200 x 1 x 1", "padding: [3 3 ; 0 0]", "stride: [1 1]"]
    assert rows["conv1_1"][4] == "?" and rows["conv1_1"][5] == ["Weights: 200 x 1 x 1 x 64", "Bias: 1 x 1 x 64"]
    assert rows["conv1_2"][5] == ["Weights: ?", "Bias: ?"] and rows["pool1"][5] == ["Weights: ?", "Bias: ?"]
    assert rows["ReLU1_1"][4] == "" and rows["ReLU1_1"][5] == ["-"]
    # underlined as on the paper (the spec's emphasis = ["size", "padding"]: __...__, symdl/input/markup.py)
    assert rows["conv3_2"][3][1:3] == ["__size: 3 x 2 x 128__", "__padding: [1 1 ; 1 1]__"]
    assert rows["output"][4] == "10 categories"
    assert sum(row[4] == "?" for row in t.rows) == 13
    assert [row[0] for row in t.rows if row[0]] == ["L0", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "L10"]


def test_given_learnables_are_only_matlab_layouts_and_a_bad_given_is_refused(tmp_path):
    body = ('convention = "pytorch"\n[[question.layer]]\nname = "in"\ntype = "input"\nsize = [3, 32, 32]\n'
            '[[question.layer]]\nname = "c"\ntype = "conv"\nfilters = 8\nsize = [3, 3, 3]\ngiven = ["learnables"]\n')
    t = table(one_question(tmp_path, "architecture", body))
    assert t.rows[1][5] == ["Weights: ?", "Bias: ?"]          # PyTorch's F x C x k x k is not written here
    bad = one_question(tmp_path, "architecture", body.replace('["learnables"]', '"learnables"'), name="bad")
    with pytest.raises(SpecError) as err:
        sheet_of(bad)
    assert err.value.field == "layer.c.given"
