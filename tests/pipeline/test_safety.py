"""Safety of the LaTeX step: hostile spec text prints as text; TeX can neither run commands
nor read or write outside its folder, whatever rc file or raw LaTeX it is handed.

The end-to-end case builds one real PDF (a neuron question, ~5 s); the sandbox cases build
tiny documents directly with ``symdl.render.pdf.build`` (~1 s each).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import fakekind
from symdl.derive import derive
from symdl.errors import BuildError
from symdl.render import latex, pdf as pdf_render
from symdl.input.spec import load_exam
from support import TESTS

HERE = TESTS
ROOT = HERE.parent

needs_tex = pytest.mark.skipif(not (pdf_render.tex_available() and shutil.which("pdftotext")),
                               reason="latexmk/pdflatex/pdftotext not installed")

HOSTILE = r"\input{/etc/passwd}\immediate\write18{touch MARKER}"


def hostile(marker: Path) -> str:
    return HOSTILE.replace("MARKER", str(marker))


def neuron_spec(marker: Path) -> str:
    evil = hostile(marker)
    return f"""
[exam]
id = "safety"
title = '{evil}'
course = '{evil} $x$ % # & ~ ^ _ < > |'
date = '{evil}'
instructions = ['{evil}']

[[question]]
id = "Q1"
kind = "neuron"
title = '{evil}'
text = '''{evil}

\\end{{document}} \\def\\x{{1}} \\catcode`\\%=12 \\csname @@end\\endcsname'''
activation = "relu"
W = '[-0.1 \\quad -0.2]^T'
x = '[0.7 \\quad 0.9]^T'
b = '[0.5]'
upstream = '[-0.124]'
[question.parts]
a = '{evil}'
"""


# ------------------------------------------------------------------------ escaping ----

def test_hostile_text_is_escaped_in_the_tex(tmp_path):
    marker = tmp_path / "pwned"
    spec = tmp_path / "exam.toml"
    spec.write_text(neuron_spec(marker))
    from symdl.solve import solve_exam

    report = solve_exam(spec)
    tex = latex.render(report.exam, report.results)
    assert r"\input{/etc/passwd}" not in tex
    assert r"\write18" not in tex
    assert r"\end{document} \def" not in tex
    assert r"\textbackslash{}input\{/etc/passwd\}\textbackslash{}immediate\textbackslash{}write18\{touch" in tex
    assert tex.count(r"\end{document}") == 1


def test_every_string_of_a_fake_question_is_escaped(tmp_path, monkeypatch):
    fakekind.install(monkeypatch)
    spec = tmp_path / "exam.toml"
    evil = hostile(tmp_path / "pwned")
    spec.write_text(fakekind.spec({"a": "1", "b": "2", "text": evil, "title": evil,
                                   "parts": {"a": evil}}, title=evil))
    from symdl.solve import solve_exam

    report = solve_exam(spec)
    tex = latex.render(report.exam, report.results)
    assert r"\write18" not in tex and r"\input{" not in tex
    # exam title, question title (in the summary and over the question), text, part
    assert tex.count(r"\textbackslash{}write18") == 5


@needs_tex
def test_hostile_spec_prints_as_text_in_the_pdf_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    spec = tmp_path / "exam.toml"
    spec.write_text(neuron_spec(marker))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "symdl", "derive", str(spec), "--out", str(out)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=240)
    assert proc.returncode == 0, proc.stderr
    pdf = out / "safety" / "answer-key.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert "".join(hostile(marker).split()) in flat                # printed, character for character
    assert "root:" not in text                                     # /etc/passwd was not read
    assert not marker.exists()                                     # \write18 did not run
    assert sorted(p.name for p in (out / "safety").iterdir()) == [".symdl-manifest.json", "answer-key.pdf",
                                                                   "answer-key.tex", "answers.json", "exam-sheet.pdf", "exam-sheet.tex", "grading.pdf",
                                                                   "grading.tex", "verification.pdf",
                                                                   "verification.tex"]
    sheet = subprocess.run(["pdftotext", "-layout", str(out / "safety" / "exam-sheet.pdf"), "-"],
                           capture_output=True, text=True).stdout
    assert "".join(hostile(marker).split()) in "".join(sheet.split())     # the exam sheet prints it too


@needs_tex
def test_special_characters_in_kind_strings_print_as_text(tmp_path):
    """Class names, case ids and texts, layer names, numbers and notes with TeX's specials."""
    spec = HERE / "malformed" / "data" / "special-characters.toml"     # a valid spec, kept beside the corpus
    out = tmp_path / "out"
    derive(spec, out, pdf=True)
    text = subprocess.run(["pdftotext", str(out / "special" / "answer-key.pdf"), "-"],
                          capture_output=True, text=True).stdout
    for shown in ["Special & characters: 100% #1 $5 a_b ^ ~ \\ { } < > |", "cat_1 & dog", "50% #2",
                  "$x^2$ {a} \\b", "case a_1", "in_put&%", "conv_1$", "fc_%", "L#0"]:
        assert shown in text, shown


# --------------------------------------------------------------------- the sandbox ----

def build_raw(folder: Path, body: str, rc: str | None = None):
    folder.mkdir(parents=True, exist_ok=True)
    tex = folder / "raw.tex"
    tex.write_text("\\documentclass{article}\n\\begin{document}\n" + body + "\n\\end{document}\n")
    if rc is not None:
        (folder / "latexmkrc").write_text(rc)
        (folder / ".latexmkrc").write_text(rc)
    return pdf_render.build(tex)


@needs_tex
def test_shell_escape_is_off_even_with_a_hostile_latexmkrc(tmp_path):
    marker = tmp_path / "shell-ran"
    rc = "$pdflatex = 'pdflatex -shell-escape %O %S'; $pdf_mode = 1;\n"
    build_raw(tmp_path / "doc", f"Hello \\immediate\\write18{{touch {marker}}}", rc=rc)
    assert not marker.exists()
    # build() compiles in a scratch folder and keeps no log: to read TeX's log, compile in
    # place, beside the hostile rc files (-norc must still ignore them)
    assert sorted(p.name for p in (tmp_path / "doc").iterdir()) == [".latexmkrc", "latexmkrc", "raw.pdf", "raw.tex"]
    pdf_render._compile(tmp_path / "doc", "raw.tex", 120)
    assert not marker.exists()
    log = (tmp_path / "doc" / "raw.log").read_text(errors="replace")
    assert "runsystem(touch" in log and "disabled" in log
    assert "restricted \\write18 enabled" not in log and "\\write18 enabled." not in log


@needs_tex
@pytest.mark.parametrize("target", ["../escaped.txt", "ABSOLUTE"])
def test_tex_cannot_write_outside_its_folder(tmp_path, target):
    target = str(tmp_path / "abs.txt") if target == "ABSOLUTE" else target
    with pytest.raises(BuildError) as info:
        build_raw(tmp_path / "doc", "\\newwrite\\f\\immediate\\openout\\f=" + target +
                  " \\immediate\\write\\f{x}\\immediate\\closeout\\f")
    assert "I can't write on file" in str(info.value)
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "abs.txt").exists()


@needs_tex
def test_tex_cannot_read_absolute_paths(tmp_path):
    secret = tmp_path / "secret.tex"
    secret.write_text("TOPSECRET")
    with pytest.raises(BuildError) as info:
        build_raw(tmp_path / "doc", f"\\input{{{secret}}}")
    assert "not found" in str(info.value)
    assert not (tmp_path / "doc" / "raw.pdf").exists()


@needs_tex
def test_failed_build_reports_the_first_tex_error_on_one_line(tmp_path):
    with pytest.raises(BuildError) as info:
        build_raw(tmp_path / "doc", "one \\undefinedmacro two \\alsoundefined")
    message = str(info.value)
    assert message.startswith("TeX failed: ./raw.tex:3: Undefined control sequence.")
    assert "\n" not in message and "alsoundefined" not in message
    assert info.value.exit_status == 1


def test_first_error_ignores_the_banner(tmp_path):
    log = tmp_path / "x.log"
    log.write_text("This is pdfTeX, Version 3.14 (TeX Live 2022) (preloaded format=pdflatex)  27 NOV 2026 04:55\n"
                   "LaTeX Font Info:    Checking defaults for OML/cmm/m/it on input line 2.\n"
                   "! Missing $ inserted.\n<inserted text>\n                $\nl.42 a_b\n")
    assert pdf_render.first_error(log) == "Missing $ inserted. (l.42)"


@needs_tex
def test_failed_tex_build_still_writes_the_tex_and_answers(tmp_path, monkeypatch):
    """A TeX failure is exit 1 with the first TeX error; .tex and answers.json are in place, no PDF."""
    fakekind.install(monkeypatch)
    spec = tmp_path / "exam.toml"
    spec.write_text(fakekind.spec({"a": "1", "b": "2"}))
    source = "\\documentclass{article}\\begin{document}\\undefinedmacro\\end{document}\n"
    monkeypatch.setattr(latex, "render", lambda exam, results, document="model": source)
    out = tmp_path / "out"
    with pytest.raises(BuildError, match="Undefined control sequence") as info:
        derive(spec, out, pdf=True)
    assert info.value.exit_status == 1 and "\n" not in str(info.value)
    assert sorted(p.name for p in out.iterdir()) == ["fake-exam"]               # no staging folder left
    folder = out / "fake-exam"
    assert sorted(p.name for p in folder.iterdir()) == [".symdl-manifest.json", "answer-key.log", "answer-key.tex",
                                                        "answers.json", "exam-sheet.tex", "grading.tex", "verification.tex"]
    assert (folder / "answer-key.tex").read_text() == source
    # TeX's own log of the failed run, named in the message and listed in the manifest
    assert "TeX's log: answer-key.log" in str(info.value)
    assert "answer-key.tex:1: Undefined control sequence." in (folder / "answer-key.log").read_text()
    assert "answer-key.log" in json.loads((folder / ".symdl-manifest.json").read_text())["files"]
    assert json.loads((folder / "answers.json").read_text())["questions"][0]["answers"]["sum"]["value"] == 3


def test_exam_id_cannot_escape_the_output_folder(tmp_path):
    spec = tmp_path / "exam.toml"
    spec.write_text('[exam]\nid = "../../x"\ntitle = "t"\n[[question]]\nid = "Q"\nkind = "neuron"\n')
    with pytest.raises(Exception, match="exam.id"):
        load_exam(spec)


def test_pdf_build_environment_is_locked_down(monkeypatch, tmp_path):
    seen = {}

    class FakePopen:
        def __init__(self, cmd, cwd, env, **kwargs):
            seen.update(cmd=cmd, cwd=cwd, env=env, files=sorted(p.name for p in Path(cwd).iterdir()), **kwargs)
            (Path(cwd) / "t.pdf").write_bytes(b"%PDF")
            self.returncode, self.pid = 0, -1

        def communicate(self, timeout=None):
            return "", ""

    monkeypatch.setattr(pdf_render, "tex_available", lambda: True)
    monkeypatch.setattr(pdf_render.subprocess, "Popen", FakePopen)
    monkeypatch.setenv("openin_any", "a")
    monkeypatch.setenv("shell_escape", "t")
    (tmp_path / "t.tex").write_text("x")
    pdf_render.build(tmp_path / "t.tex")
    assert seen["cmd"][:2] == ["latexmk", "-norc"] and "-no-shell-escape" in seen["cmd"]
    assert seen["env"]["openin_any"] == "p" and seen["env"]["openout_any"] == "p"
    assert seen["env"]["shell_escape"] == "f"
    assert seen["start_new_session"] is True and seen["stdin"] == subprocess.DEVNULL
    # TeX runs in a private scratch folder (not inside the output folder) holding only the .tex,
    # removed afterwards; only the PDF comes back (changed from "runs in the .tex's folder")
    scratch = Path(seen["cwd"])
    assert tmp_path not in [scratch, *scratch.parents] and seen["files"] == ["t.tex"]
    assert not scratch.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.pdf", "t.tex"]
    assert os.environ["shell_escape"] == "t"                          # the caller's env is untouched


def _processes_in(folder: Path) -> list:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if Path(os.readlink(proc / "cwd")) == folder:
                    found.append(int(proc.name))
            except OSError:
                pass
    return found


@needs_tex
@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs /proc")
def test_a_tex_loop_is_stopped_whole(tmp_path):
    doc = tmp_path / "doc"
    doc.mkdir()
    (doc / "raw.tex").write_text("\\documentclass{article}\n\\begin{document}\n"
                                 "\\def\\x{\\x}\\x\n\\end{document}\n")
    with pytest.raises(BuildError, match="longer than 3 s"):
        pdf_render.build(doc / "raw.tex", timeout=3)
    assert _processes_in(doc) == []                                   # no pdflatex left spinning


@needs_tex
def test_every_character_the_spec_accepts_can_be_typeset(tmp_path, monkeypatch):
    """spec.TYPESETTABLE promises these characters build; prove it with one PDF holding all."""
    from symdl.input.spec import TYPESETTABLE

    fakekind.install(monkeypatch)
    chars = "".join(chr(c) for lo, hi in TYPESETTABLE for c in range(lo, hi + 1))
    printable = "".join(chr(c) for c in range(0x20, 0x7F))
    text = " ".join(chars[i:i + 40] for i in range(0, len(chars), 40))
    spec = tmp_path / "exam.toml"
    spec.write_text(fakekind.spec({"a": "1", "b": "2", "text": text + " " + printable}, title="All " + chars[:30]),
                    encoding="utf-8")
    report = derive(spec, tmp_path / "out", pdf=True)
    assert (report.folder / "answer-key.pdf").is_file()


RAW_PAYLOADS = [r"y = \providecommand{\x}{\x}\x",            # an endless loop in TeX
                r"y = \loop\repeat",                          # ditto (plain TeX's \loop)
                r"y = \InputIfFileExists{answer-key.tex}{}{}"]  # reads a file (here: recursion)


@pytest.mark.parametrize("model", RAW_PAYLOADS)
def test_raw_latex_fields_refuse_programming_macros(tmp_path, model):
    from symdl.solve import solve_exam
    from symdl.errors import SpecError

    spec = tmp_path / "exam.toml"
    spec.write_text(f"""[exam]
id = "raw"
title = "raw"
[[question]]
id = "N1"
kind = "neuron"
model = '{model}'
activation = "relu"
W = '[-0.1 \\quad -0.2]^T'
x = '[0.7 \\quad 0.9]^T'
b = '[0.5]'
upstream = '[-0.124]'
""")
    with pytest.raises(SpecError):
        solve_exam(spec)


@needs_tex
def test_untypesettable_characters_in_a_data_file_do_not_break_the_pdf(tmp_path):
    from symdl.derive import write_template

    write_template(tmp_path / "exam")
    log = tmp_path / "exam" / "q5-training-log.txt"
    log.write_text("Training on single GPU \u2713\n" + log.read_text())
    text = (tmp_path / "exam" / "di504.toml").read_text()
    head = text[:text.index("[[question]]")]
    q5 = text[text.index('[[question]]\nid = "Q5"'):]
    spec = tmp_path / "exam" / "q5.toml"
    spec.write_text(head + q5)
    assert [q.id for q in load_exam(spec).questions] == ["Q5"]
    derive(spec, tmp_path / "out", pdf=True)
