"""The kind contract: a kind from outside symdl is added through the public registry alone."""

from __future__ import annotations

import json
import textwrap

import pytest
import sympy

from symdl import kinds
from symdl.errors import SpecError
from symdl.kinds import Kind
from symdl.input.schema import Field, Schema
from symdl.solution import Solution, Step


def _solve(question):
    a, b = question.number("a"), question.number("b")
    sol = Solution(question.id, question.kind)
    x, y, p = sympy.symbols("a b p")
    with sympy.evaluate(False):
        substituted = sympy.Mul(a, b)
    sol.section("The product", part="a").add(Step("Multiply.", lhs=p, formula=x * y,
                                                  substituted=substituted, result=a * b))
    sol.answer("product", a * b)
    return sol


def _independent(question):
    return {"product": float(question.number("a")) * float(question.number("b"))}


@pytest.fixture
def toy(tmp_path):
    partial = tmp_path / "toy.tex.j2"
    partial.write_text('<% import "macros.tex.j2" as m %>\n<% call(fig) m.sections(q, sol) %><% endcall %>\n')
    kind = kinds.register(Kind(
        name="toy_product",
        schema=Schema(Field("a", "value"), Field("b", "value"),
                      Field("order", "text", default="left", choices=("left", "right"))),
        solve=_solve, independent=_independent, checks_note="Recomputed in floats.", template=partial))
    yield kind
    kinds.unregister("toy_product")
    assert kinds.registered("toy_product") is None


def _spec(tmp_path, **fields):
    body = "".join(f"{k} = {json.dumps(v)}\n" for k, v in fields.items())
    path = tmp_path / "toy.toml"
    path.write_text(textwrap.dedent('''\
        [exam]
        id = "toy"
        title = "Toy"
        [[question]]
        id = "T1"
        kind = "toy_product"
        ''') + body)
    return path


def test_toy_kind_derives_through_the_registry(toy, tmp_path):
    from symdl.derive import derive
    from symdl.render import pdf

    report = derive(_spec(tmp_path, a="0.3", b="-0.25"), tmp_path / "out", pdf=pdf.tex_available())
    answers = json.loads((report.folder / "answers.json").read_text())
    assert answers["questions"][0]["answers"]["product"]["value"] == pytest.approx(-0.075, rel=1e-12)
    assert report.verified
    tex = (report.folder / "verification.tex").read_text()
    assert "Recomputed in floats." in tex            # the checks note reaches the verification report from the Kind
    assert "Recomputed in floats." not in (report.folder / "answer-key.tex").read_text()   # not the model answers
    assert "kinds" in kinds.names.__module__ and "toy_product" in kinds.names()


def test_schema_checks_choices_and_types(toy, tmp_path):
    from symdl.solve import solve_exam

    report = solve_exam(_spec(tmp_path, a="2", b="3", order=" Right "))
    assert report.results[0].question.values["order"] == "right"
    with pytest.raises(SpecError, match=r"field 'order'.*unknown value 'middle' \(known: left, right\)"):
        solve_exam(_spec(tmp_path, a="2", b="3", order="middle"))
    with pytest.raises(SpecError, match=r"field 'b'.*missing required field"):
        solve_exam(_spec(tmp_path, a="2"))
    with pytest.raises(SpecError, match=r"field 'c'.*unknown field for kind 'toy_product'"):
        solve_exam(_spec(tmp_path, a="2", b="3", c="4"))
    with pytest.raises(SpecError, match=r"field 'a'.*expected a number, a LaTeX value or a list, got a boolean"):
        solve_exam(_spec(tmp_path, a=True, b="3"))


def test_registry_refuses_clashes_and_unknown_names(toy):
    with pytest.raises(ValueError, match="registered already"):
        kinds.register(Kind(name="toy_product", schema=Schema(), solve=_solve, independent=_independent))
    with pytest.raises(ValueError, match="built in"):
        kinds.unregister("graph")
    with pytest.raises(KeyError):
        kinds.get("no_such_kind")
    with pytest.raises(ValueError, match="declared twice"):
        Schema(Field("a"), Field("a"))
    with pytest.raises(ValueError, match="unknown type"):
        Field("a", "matrix-ish")
    assert kinds.get("graph") is kinds.get("graph")   # looked up once, then the same Kind


def test_a_kinds_error_without_a_place_names_the_question(tmp_path):
    """An error a kind raises naming only its field gets the question and file, in derive and the sheet;
    one that names its own question keeps it."""
    from symdl.solve import solve_exam
    from symdl.render.sheet import questions
    from symdl.input.spec import load_exam

    def refuse(question):
        raise SpecError("no good", field="a")

    def elsewhere(question):
        raise SpecError("no good", question="other")

    kinds.register(Kind(name="toy_refuses", schema=Schema(Field("a", "value")), solve=refuse,
                        independent=refuse, sheet=elsewhere))
    try:
        path = tmp_path / "bad.toml"
        path.write_text('[exam]\nid = "b"\ntitle = "B"\n[[question]]\nid = "R1"\nkind = "toy_refuses"\na = "1"\n')
        with pytest.raises(SpecError) as derived:
            solve_exam(path)
        assert (derived.value.file, derived.value.question, derived.value.field) == (path, "R1", "a")
        with pytest.raises(SpecError) as sheet:
            questions(load_exam(path))
        assert (sheet.value.file, sheet.value.question, sheet.value.field) == (path, "other", None)
    finally:
        kinds.unregister("toy_refuses")


def test_a_symbolic_answer_is_a_contract_error_naming_the_kind_and_the_answer(tmp_path):
    """A kind that returns a formula where a number is due: a ContractError (exit 3) naming both, not a
    crash deep in the printer."""
    from symdl.solve import solve_exam
    from symdl.errors import ContractError

    def lazy(question):
        sol = _solve(question)
        sol.answer("half_done", sympy.Symbol("a") * question.number("b"))
        return sol

    kinds.register(Kind(name="toy_lazy", schema=Schema(Field("a", "value"), Field("b", "value")), solve=lazy,
                        independent=_independent))
    try:
        path = tmp_path / "lazy.toml"
        path.write_text('[exam]\nid = "l"\ntitle = "L"\n[[question]]\nid = "L1"\nkind = "toy_lazy"\na = "2"\nb = "3"\n')
        with pytest.raises(ContractError, match=r"kind 'toy_lazy' returned answer 'half_done' as a formula in a") as e:
            solve_exam(path)
        assert e.value.exit_status == 3 and e.value.question == "L1"
    finally:
        kinds.unregister("toy_lazy")


def test_a_kind_in_another_installed_package_works_with_the_stock_cli(tmp_path):
    """docs/new-kind.md's package, as the page writes it: it declares its Kind under the entry-point group
    symdl.kinds and the stock ``python -m symdl`` finds it (installed as pip lays it out: module + dist-info)."""
    import subprocess
    import sys

    from support import install_documented_kind

    site = install_documented_kind(tmp_path / "site")
    spec = tmp_path / "sq.toml"
    spec.write_text('[exam]\nid = "sq"\ntitle = "Squares"\n[[question]]\nid = "Q1"\nkind = "square"\na = "1.5"\n'
                    'points = 2\n[question.parts.a]\ntext = "Square it."\npoints = 2\n')
    env = {**__import__("os").environ, "PYTHONPATH": str(site)}
    proc = subprocess.run([sys.executable, "-m", "symdl", "derive", str(spec), "--out", str(tmp_path / "out"),
                           "--no-pdf"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    answers = json.loads((tmp_path / "out" / "sq" / "answers.json").read_text())
    assert answers["questions"][0]["answers"]["square"]["value"] == 2.25          # 1.5^2 by hand
    proc = subprocess.run([sys.executable, "-m", "symdl", "derive", str(spec), "--no-pdf"], capture_output=True,
                          text=True, cwd=tmp_path)                                 # not installed: an unknown kind
    assert proc.returncode == 2 and "square" in proc.stderr and "Traceback" not in proc.stderr


def _toy(**fields):
    """A Kind that keeps the contract, with ``fields`` replaced."""
    return Kind(**{"name": "toy_checked", "schema": Schema(Field("a", "value"), Field("b", "value")),
                   "solve": _solve, "independent": _independent, **fields})


MISSING_TEMPLATE = object()     # stands for a path under tmp_path that does not exist


@pytest.mark.parametrize("fields, message", [
    ({"name": "Toy Checked"}, r"kind 'Toy Checked': name must be lower-case letters, digits and underscores"),
    ({"name": "2d_conv"}, r"kind '2d_conv': name must be lower-case"),
    ({"name": None}, r"kind None: name must be lower-case"),
    ({"schema": {"a": "value"}}, r"kind 'toy_checked': schema must be a symdl.input.schema.Schema, not dict"),
    ({"solve": None}, r"kind 'toy_checked': solve must be a function of \(question\), not NoneType"),
    ({"solve": lambda: None}, r"kind 'toy_checked': solve must take \(question\); it takes \(\)"),
    ({"independent": lambda q, extra: {}}, r"independent must take \(question\); it takes \(q, extra\)"),
    ({"mistakes": lambda question: {}}, r"kind 'toy_checked': mistakes must take \(question, solution\)"),
    ({"sheet": "given"}, r"kind 'toy_checked': sheet must be a function of \(question\), not str"),
    ({"carry": lambda question, solution: {}}, r"carry must take \(question, solution, given\)"),
    ({"tolerance": 0}, r"kind 'toy_checked': tolerance must be a positive number \(relative\), not 0"),
    ({"tolerance": -1e-6}, r"tolerance must be a positive number \(relative\), not -1e-06"),
    ({"tolerance": "1e-6"}, r"tolerance must be a positive number \(relative\), not '1e-6'"),
    ({"tolerance": float("nan")}, r"tolerance must be a positive number \(relative\), not nan"),
    ({"tolerance": True}, r"tolerance must be a positive number \(relative\), not True"),
    ({"abs_tolerance": -1}, r"kind 'toy_checked': abs_tolerance must be a number >= 0"),
    ({"abs_tolerance": {"product": -1e-9}}, r"abs_tolerance must be a number >= 0 or \{answer name"),
    ({"abs_tolerance": {1: 1e-9}}, r"abs_tolerance must be a number >= 0 or \{answer name"),
    ({"checks_note": None}, r"kind 'toy_checked': checks_note must be text, not NoneType"),
    ({"template": MISSING_TEMPLATE}, r"kind 'toy_checked': template must be the path of an existing LaTeX partial"),
    ({"template": 3}, r"template must be the path of an existing LaTeX partial, not '3'"),
    ({"sheet_template": MISSING_TEMPLATE}, r"kind 'toy_checked': sheet_template must be the path of an existing"),
    ({"extra": []}, r"kind 'toy_checked': extra must be a dict, not list"),
])
def test_register_holds_the_whole_contract(fields, message, tmp_path):
    """Each field of a Kind is checked as it registers: one ContractError naming the kind and the field,
    and nothing registered."""
    from symdl.errors import ContractError

    fields = {name: tmp_path / "missing.tex.j2" if value is MISSING_TEMPLATE else value
              for name, value in fields.items()}
    with pytest.raises(ContractError, match=message) as refused:
        kinds.register(_toy(**fields))
    assert refused.value.exit_status == 3
    assert kinds.registered("toy_checked") is None and kinds.registered(str(fields.get("name"))) is None


def test_register_accepts_every_way_a_hook_may_take_its_arguments(tmp_path):
    """Defaults, *args and a callable object take the hook's arguments too; optional hooks may be None;
    the absolute floor may be a dict by answer; a template file that exists is accepted."""
    partial = tmp_path / "toy.tex.j2"
    partial.write_text("<% import \"macros.tex.j2\" as m %>\n")

    class Sheet:
        def __call__(self, question):
            return []

    kind = _toy(solve=lambda question, detail="model": _solve(question), independent=lambda *args: {},
                mistakes=lambda question, solution, *rest: {}, sheet=Sheet(), carry=None,
                tolerance=sympy.Rational(1, 10**6), abs_tolerance={"product": 1e-12, "*": 0}, template=str(partial))
    try:
        assert kinds.register(kind) is kind and kinds.get("toy_checked") is kind
    finally:
        kinds.unregister("toy_checked")
    for name in kinds.BUILTIN:                       # every built-in kind passes the same check
        kinds.check_kind(kinds.get(name))


def test_an_installed_kind_that_breaks_the_contract_is_refused_naming_it(tmp_path, monkeypatch, capsys):
    """A kind found through the entry-point group is checked as it registers: a ContractError naming the
    kind and the field, not a failure later in the pipeline."""
    from importlib.metadata import EntryPoint

    from symdl.errors import ContractError

    (tmp_path / "toy_broken_kind.py").write_text(
        "from symdl.kinds import Kind\nfrom symdl.input.schema import Schema\n"
        "KIND = Kind(name='toy_broken', schema=Schema(), solve=lambda question: None,\n"
        "            independent=lambda question: {}, tolerance=-1)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    point = EntryPoint(name="toy_broken", value="toy_broken_kind:KIND", group=kinds.GROUP)
    monkeypatch.setattr(kinds, "_installed", lambda: {"toy_broken": point})
    with pytest.raises(ContractError, match=r"kind 'toy_broken': tolerance must be a positive number"):
        kinds.get("toy_broken")
    assert kinds.registered("toy_broken") is None
    from symdl.cli import main as cli_main            # the stock CLI: exit 3, one line, nothing written

    spec = tmp_path / "broken.toml"
    spec.write_text('[exam]\nid = "b"\ntitle = "B"\n[[question]]\nid = "Q1"\nkind = "toy_broken"\n')
    assert cli_main(["derive", str(spec), "--out", str(tmp_path / "out"), "--no-pdf"]) == 3
    err = capsys.readouterr().err
    assert "kind 'toy_broken': tolerance must be a positive number" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_the_documented_test_of_the_new_kind_passes(tmp_path, monkeypatch):
    """docs/new-kind.md's test of its kind (its second ```python block), run as the page writes it against
    the package the page writes, installed through the entry-point group."""
    import re
    import sys

    from support import TESTS, install_documented_kind

    monkeypatch.syspath_prepend(str(install_documented_kind(tmp_path / "site")))
    doc = (TESTS.parent / "docs" / "new-kind.md").read_text()
    namespace = {}
    exec(compile(re.findall(r"```python\n(.*?)```", doc, re.S)[1], "docs/new-kind.md", "exec"), namespace)
    tests = [function for name, function in namespace.items() if name.startswith("test_")]
    try:
        assert tests
        for test in tests:
            test(tmp_path)
        assert kinds.get("square").checks_note == "Squared again in floats."   # the page's Kind, not another
    finally:
        kinds.unregister("square")
        sys.modules.pop("symdl_square", None)


def test_a_kind_outside_symdl_ships_its_partials_in_its_own_folder(tmp_path):
    """A kind's partials are files of its own package (Kind.template, Kind.sheet_template), found from
    there by the documents' loader as the built-in kinds' are: the sheet's table of role "rows" set by
    the macro of that name in the kind's sheet partial, the key's sections laid out by its answer partial."""
    from symdl import derive as derive_module
    from symdl.render import sheet
    from symdl.solution import Table

    package = tmp_path / "toy_package"
    package.mkdir()
    (package / "answer.tex.j2").write_text('<% import "macros.tex.j2" as m %>\nTOY-ANSWER-PARTIAL\n'
                                           '<% call(fig) m.sections(q, sol) %><% endcall %>\n')
    (package / "sheet.tex.j2").write_text("<% macro rows(t) %>TOY-SHEET-ROWS << t.rows | length >><% endmacro %>\n")

    def given(question):
        return [Table(["a", "b"], [[question.values["a"], "?"], ["1", "2"]], role="rows")]

    kind = _toy(template=package / "answer.tex.j2", sheet_template=package / "sheet.tex.j2", sheet=given)
    kinds.register(kind)
    try:
        spec = _spec(tmp_path, a="2", b="3").read_text().replace("toy_product", "toy_checked")
        (tmp_path / "toy.toml").write_text(spec)
        report = derive_module.derive(tmp_path / "toy.toml", tmp_path / "out", pdf=False)
        assert "TOY-ANSWER-PARTIAL" in (report.folder / "answer-key.tex").read_text()
        sheet_tex = (report.folder / sheet.TEX).read_text()
        assert "TOY-SHEET-ROWS 2" in sheet_tex             # two rows, set by the kind's own macro
        assert sheet.sheet_partial("toy_checked") == "kinds/toy_checked.sheet.tex.j2"
    finally:
        kinds.unregister("toy_checked")
    assert sheet.sheet_partial("graph") == "sheet/plain.tex.j2"     # a kind with no sheet partial: plain tables
