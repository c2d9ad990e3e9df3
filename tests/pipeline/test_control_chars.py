"""Control characters (TOML escapes such as \\u0001, a 0x01 byte in a data file) are refused where
the spec is read: exit 2 naming the field (and the data file), nothing written.

XML 1.0 admits only tab, newline and carriage return below U+0020 (and not U+FFFE, U+FFFF):
the regression round3/xml_control_char_illformed (\\u0001 in the title, \\u000b in a question's
text) wrote a moodle.xml and Canvas files that no XML parser reads.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from symdl.errors import SpecError
from symdl.input.spec import load_exam
from support import TESTS

REGRESSION = TESTS / "regressions" / "round3" / "xml_control_char_illformed"

GRAPH = '''[exam]
id = "ctl"
title = {title}
instructions = [{instruction}]

[[question]]
id = "Q1"
kind = "graph"
text = {text}
program = ["q = x + y", "f = q z"]
[question.parts]
{part} = {{ text = {part_text}, points = 2 }}
[question.values]
x = "-2"
y = "5"
z = "-4"
'''
PLAIN = {"title": '"Midterm"', "instruction": '"Write clearly."', "text": '"Compute f."',
         "part": "a", "part_text": '"f?"'}
# every code XML 1.0 cannot carry, and the other control characters (DEL, C1, a carriage return
# written as an escape)
REFUSED = [*range(0x00, 0x09), 0x0B, 0x0C, 0x0D, *range(0x0E, 0x20), 0x7F, 0x80, 0x85, 0x9F, 0xFFFE, 0xFFFF]
WHERE = {"title": "exam.title", "instruction": "exam.instructions", "text": "text",
         "part": "parts", "part_text": "parts.a.text"}


def cli(*args, cwd):
    env = dict(os.environ)
    env.pop("SYMDL_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "symdl", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def spec(tmp_path, **given) -> Path:
    fields = dict(PLAIN, **given)
    path = tmp_path / "ctl.toml"
    path.write_text(GRAPH.format(**fields), encoding="utf-8")
    return path


@pytest.mark.parametrize("code", REFUSED)
@pytest.mark.parametrize("where", sorted(WHERE))
def test_a_control_character_is_refused_naming_its_field(tmp_path, where, code):
    escape = f"\\u{code:04X}"
    value = f'"x{escape}y"'
    with pytest.raises(SpecError) as info:
        load_exam(spec(tmp_path, **{where: value}))
    error = info.value
    assert error.field == WHERE[where]
    assert f"U+{code:04X}" in error.message or (code == 0x0D and where == "title" and "one line" in error.message)
    assert error.question == (None if where in ("title", "instruction") else "Q1")


def test_tab_and_newline_stay_allowed_where_a_text_may_hold_them(tmp_path):
    exam = load_exam(spec(tmp_path, text='"Compute\\tf.\\nThen g."', part_text='"f\\tplease"'))
    assert exam.questions[0].text == "Compute\tf.\nThen g."
    assert exam.questions[0].parts == {"a": "f\tplease"}


@pytest.mark.parametrize("command", [("export", "moodle"), ("export", "canvas"), ("derive", "--no-pdf"),
                                     ("sheet", "--no-pdf")])
def test_regression_control_characters_exit_2_naming_the_title(tmp_path, command):
    shutil.copy(REGRESSION / "ctl.toml", tmp_path / "ctl.toml")
    proc = cli(*command[:1], *command[1:2] if command[0] == "export" else (), "ctl.toml", "--out", "out",
               *command[1:] if command[0] != "export" else (), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]            # one line, no traceback
    assert "ctl.toml: field 'exam.title': control character U+0001" in proc.stderr
    assert not (tmp_path / "out").exists()                                         # nothing written


def test_regression_with_a_clean_title_names_the_question_text(tmp_path):
    text = (REGRESSION / "ctl.toml").read_text().replace('"Midterm\\u0001"', '"Midterm"')
    (tmp_path / "ctl.toml").write_text(text)
    proc = cli("export", "moodle", "ctl.toml", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 2
    assert "ctl.toml: question Q1: field 'text': control character U+000B" in proc.stderr
    # without the control characters the same exam exports XML that parses
    (tmp_path / "ctl.toml").write_text(text.replace("\\u000b", ""))
    for target in ("moodle", "canvas"):
        proc = cli("export", target, "ctl.toml", "--out", target, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    texts = [p.read_bytes() for p in (tmp_path / "moodle").rglob("*.xml")]
    for archive in (tmp_path / "canvas").rglob("*.zip"):
        with zipfile.ZipFile(archive) as z:
            texts += [z.read(n) for n in z.namelist() if n.endswith(".xml")]
    assert len(texts) >= 4                     # moodle.xml, imsmanifest, the assessment and its meta
    roots = [ET.fromstring(t) for t in texts]  # each well-formed
    assert all(b"Midterm" in t for t in texts[:1]) and roots


LOG_SPEC = '''[exam]
id = "logctl"
title = "Log"

[[question]]
id = "Q5"
kind = "training_log"
log = "run.txt"
format = "matlab"
framework = "matlab"
minibatch = 32
'''


@pytest.mark.parametrize("byte", [0x01, 0x0B, 0x0C, 0x1B, 0x7F])
def test_a_control_byte_in_a_data_file_is_refused_naming_the_file(tmp_path, byte):
    log = (Path(__file__).resolve().parents[2] / "symdl" / "data" / "di504" / "q5-training-log.txt").read_bytes()
    lines = log.split(b"\n")
    lines[6] = lines[6][:10] + bytes([byte]) + lines[6][10:]
    (tmp_path / "run.txt").write_bytes(b"\n".join(lines))
    (tmp_path / "spec.toml").write_text(LOG_SPEC)
    proc = cli("derive", "spec.toml", "--out", "out", "--no-pdf", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert (f"spec.toml: question Q5: field 'log': data file run.txt, line 7: control character U+{byte:04X}"
            in proc.stderr)
    assert not (tmp_path / "out").exists()


def test_the_di504_log_with_windows_line_ends_and_tabs_is_accepted(tmp_path):
    log = (Path(__file__).resolve().parents[2] / "symdl" / "data" / "di504" / "q5-training-log.txt").read_bytes()
    (tmp_path / "run.txt").write_bytes(log.replace(b"\n", b"\r\n").replace(b"|  ", b"|\t", 3))
    (tmp_path / "spec.toml").write_text(LOG_SPEC)
    question = load_exam(tmp_path / "spec.toml").questions[0]
    assert question.data_path("log") == tmp_path / "run.txt"
