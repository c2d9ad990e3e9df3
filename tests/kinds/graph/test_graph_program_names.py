"""A program's one symbol table: an assigned name means that node on every right side, and a name the
parser cannot keep is refused where it is assigned (exit 2 naming program[k]).

Hand values: CS231n's circuit f = (x + y) z at x = -2, y = 5, z = -4 gives q = 3, f = -12,
df/dz = q = 3 and df/dx = df/dy = df/dq = z = -4, whatever the intermediate is called.
"""

import math

import numpy as np
import pytest

from symdl.errors import SpecError
from symdl.kinds import graph
from symdl.kinds.graph.build import build_graph
from symdl.check.verify import to_float_array, verify
from support import one_question, solution_of

CS231N = {"x": "-2", "y": "5", "z": "-4"}


def question(tmp_path, program, values):
    lines = ["program = [" + ", ".join(f"'{line}'" for line in program) + "]", "[question.values]"]
    lines += [f"{k} = '{v}'" for k, v in values.items()]
    return one_question(tmp_path, "graph", "\n".join(lines) + "\n")


def solved(tmp_path, program, values):
    q = question(tmp_path, program, values)
    sol = solution_of(q)
    bad = [c for c in verify(q, sol) if not c.ok]
    assert not bad, bad
    return {k: float(np.squeeze(to_float_array(v))) for k, v in sol.answers.items()}


def test_e_is_the_node_not_eulers_number(tmp_path):
    a = solved(tmp_path, ["e = x + y", "f = e z"], CS231N)
    assert a["forward.e"] == 3 and a["output"] == -12
    assert a["grad.z"] == 3
    assert a["grad.x"] == a["grad.y"] == a["grad.e"] == -4


@pytest.mark.parametrize("name", ["e", "E", "I", "d", "e_1", "I_{2}", "q_{ab}", "h_12"])
def test_names_the_parser_reads_otherwise_are_kept(tmp_path, name):
    # e, E, I alone are constants to the parser, 'd z' a differential, e_1 loses its subscript
    a = solved(tmp_path, [f"{name} = x + y", f"f = {name} z"], CS231N)
    key = name.replace("{", "").replace("}", "")
    assert a[f"forward.{key}"] == 3 and a["output"] == -12
    assert (a["grad.z"], a["grad.x"], a["grad.y"], a[f"grad.{key}"]) == (3, -4, -4, -4)


def test_a_name_in_powers_calls_and_fractions(tmp_path):
    # f = e^2 z + exp(e) / e - e, e = x + y = 3: 9 (-4) + e^3 / 3 - 3 (exp is still Euler's)
    a = solved(tmp_path, ["e = x + y", r"f = e^{2} z + \frac{\exp(e)}{e} - e"], CS231N)
    assert a["output"] == pytest.approx(-36 + math.exp(3) / 3 - 3, rel=1e-12)
    # df/de = 2 e z + exp(e) (e - 1) / e^2 - 1 = -24 + 2 exp(3) / 9 - 1; df/dz = e^2 = 9
    assert a["grad.e"] == pytest.approx(-25 + 2 * math.exp(3) / 9, rel=1e-12)
    assert a["grad.z"] == 9


def test_a_subscript_letter_is_not_the_name(tmp_path):
    # x_d is an input of its own; d the node (not a differential): f = d x_d = 3 * 7
    a = solved(tmp_path, ["d = x + y", "f = d x_d"], {"x": "-2", "y": "5", "x_d": "7"})
    assert a["output"] == 21 and a["grad.x_d"] == 3 and a["grad.x"] == 7


def test_a_minus_a_stays_a_subtraction(tmp_path):
    a = solved(tmp_path, ["e = x y", "b = e - e", "f = b + e"], {"x": "3", "y": "2"})
    assert a["forward.b"] == 0 and a["output"] == 6 and a["grad.e"] == 1 and a["grad.b"] == 1


@pytest.mark.parametrize("name, words", [
    ("pi", "constant"), (r"\pi", "constant"), ("sigma", "function"), (r"\sigma", "function"),
    ("relu", "function"), ("exp", "function"), ("max", "function"), ("z2", "product"), ("ab", "product"),
    ("q_ab", "product"), ("z_1", "automatic|own nodes"), ("z_{2}", "own nodes"), ("c_1", "own nodes"),
    ("c1", "product"), ("z1", "product"), ("T", "transpose"), (r"\alpha", "constant"), ("", "not a name"),
    ("f(x)", "not a name"), ("q^2", "not a name"),
])
def test_names_the_parser_cannot_keep_are_refused_where_assigned(tmp_path, name, words):
    q = question(tmp_path, ["q = x + y", f"{name} = q z", f"f = {name} x"], CS231N)
    with pytest.raises(SpecError, match=words) as info:
        solution_of(q)
    assert info.value.field == "program[1]"


def test_errors_name_the_program_line(tmp_path):
    q = question(tmp_path, ["q = x + y", "f = q w"], {"x": "1", "y": "2"})
    with pytest.raises(SpecError, match="symbol 'w' has no value") as info:
        solution_of(q)
    assert info.value.field == "program[1]"
    q = question(tmp_path, ["q = x - x", "h = q + y", r"f = \log(q) h"], {"x": "1", "y": "2"})
    with pytest.raises(SpecError, match="undefined") as info:
        solution_of(q)
    assert info.value.field == "program[2]"


def test_an_input_named_like_the_parsers_constants_stays_an_input(tmp_path):
    # the parser's own matrix constants once took the name C_1 from an input of that name
    q = one_question(tmp_path, "graph", "function = 'C_1 \\cdot \\begin{bmatrix} 1 & 2 \\end{bmatrix}'\n"
                                        "upstream = '[1 \\quad 1]'\n[question.values]\nC_1 = '3'\n")
    sol = solution_of(q)
    assert [c for c in verify(q, sol) if not c.ok] == []
    np.testing.assert_array_equal(np.squeeze(to_float_array(sol.answers["output"])), [3, 6])
    assert float(np.squeeze(to_float_array(sol.answers["grad.C_1"]))) == 3      # 1 * 1 + 1 * 2


def test_automatic_nodes_are_numbered_around_input_names(tmp_path):
    # inputs named z_1 and c_1 beside the key's own z_1, c_1 once printed two nodes under one name
    q = one_question(tmp_path, "graph", "function = 'z_1 x + c_1 + 2'\n[question.values]\n"
                                        "z_1 = '2'\nx = '3'\nc_1 = '1'\n")
    sol = solution_of(q)
    assert [c for c in verify(q, sol) if not c.ok] == []
    forward = {k for k in sol.answers if k.startswith("forward.")}
    assert "forward.z1" not in forward and {"forward.z2", "forward.z3", "forward.z4"} <= forward
    assert float(np.squeeze(to_float_array(sol.answers["output"]))) == 9          # 2 * 3 + 1 + 2
    assert float(np.squeeze(to_float_array(sol.answers["grad.z_1"]))) == 3
    symbols = [n.symbol for n in build_graph(q).nodes]
    assert len(symbols) == len(set(symbols))


def test_a_name_in_a_matrix_written_out_is_refused(tmp_path):
    # outside a program, a cell 'e' is Euler's number; inside one e is a node, which no cell can hold
    q = question(tmp_path, ["e = x + y", r"f = \begin{bmatrix} e & 1 \end{bmatrix} z"], CS231N)
    with pytest.raises(SpecError, match="node of the program") as info:
        solution_of(q)
    assert info.value.field == "program[1]"


def test_the_sheet_shows_each_line_as_written(tmp_path):
    from symdl.kinds.graph import sheet
    from symdl.solution import Math

    q = question(tmp_path, ["e = x + y", r"f = \sigma(e) z"], CS231N)
    q.values = graph.KIND.schema.check(q)
    shown = [str(item.body) for item in sheet.given(q) if isinstance(item, Math)]
    assert shown[:2] == ["e = x + y", r"f = \sigma(e) z"] and len(shown) == 5     # then x, y, z


def test_the_key_says_e_is_a_node_where_eulers_number_is_shown(tmp_path):
    from symdl.solution import Text

    def notes(program):
        sol = solution_of(question(tmp_path, program, CS231N))
        texts = [i for s in sol.sections for i in s.items if isinstance(i, Text)]
        return [t for t in texts if "Euler" in "".join(p for p in t.parts if isinstance(p, str))]

    assert len(notes(["e = x + y", r"f = \sigma(e) z"])) == 1
    assert notes(["e = x + y", "f = e z"]) == []          # no exponential: nothing to tell apart


def test_every_letter_and_subscript_is_its_node(tmp_path):
    """Whatever a letter means to the parser alone (e, E, I, d, i, N, O, S, Q ...), as a program's name it
    is the node: g = (x + y) z + (x + y) = -9, dg/dq = z + 1 = -3, dg/dz = 3, dg/dx = -3 (by hand)."""
    import string

    wrong = []
    for letter in sorted(set(string.ascii_letters) - set("xyzfgT")):
        for name in (letter, letter + "_1", letter + "_{ab}"):
            if name == "c_1":
                continue                        # the key's own constant name: refused (above)
            a = solved(tmp_path, [f"{name} = x + y", f"f = {name} z", f"g = f + {name}"], CS231N)
            key = name.replace("{", "").replace("}", "")
            if (a["output"], a[f"grad.{key}"], a["grad.z"], a["grad.x"]) != (-9, -3, 3, -3):
                wrong.append(name)
    assert wrong == []


@pytest.mark.parametrize("name", ["e", "E", "I", "d", "e_1"])
def test_an_input_named_like_a_constant_is_the_input_in_a_program(tmp_path, name):
    # the inputs are in the program's symbol table too: q = x + y = 3, f = q * input = -12
    key = name.replace("{", "").replace("}", "")
    a = solved(tmp_path, ["q = x + y", f"f = q {name}"], {"x": "-2", "y": "5", key: "-4"})
    assert a["output"] == -12 and a[f"grad.{key}"] == 3 and a["grad.q"] == -4


def test_e_or_I_with_a_subscript_that_no_table_holds_is_refused(tmp_path):
    # latex2sympy2 read 'e_1 z' as Euler's number alone (z dropped): with z used elsewhere, a wrong
    # answer without a complaint. Neither assigned nor an input, e_1 is refused where it is written.
    q = question(tmp_path, ["q = x + y", "f = q z + e_1 z"], CS231N)
    with pytest.raises(SpecError, match="Euler's number") as info:
        solution_of(q)
    assert info.value.field == "program[1]"
    q = one_question(tmp_path, "graph", "function = 'z + e_1 z'\n[question.values]\nz = '2'\n")
    with pytest.raises(SpecError, match="Euler's number") as info:
        solution_of(q)
    assert info.value.field == "function"
