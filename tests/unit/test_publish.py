"""outdir.publish: the one way every command writes its folder (derive, sheet, variants, export, grade)."""

from __future__ import annotations

import json

import pytest

from symdl import outdir
from symdl.errors import UsageError


def test_a_new_folder_holds_the_files_and_a_manifest_of_them(tmp_path):
    out = tmp_path / "a" / "b"
    final, result = outdir.publish(out, "exam", lambda s: outdir.write_files(s, {"x.txt": "1", "sub/y.bin": b"\0"}) or 7)
    assert result == 7 and final == out / "exam"
    assert (final / "x.txt").read_text() == "1" and (final / "sub" / "y.bin").read_bytes() == b"\0"
    listed = json.loads((final / outdir.MANIFEST).read_text())["files"]
    assert sorted(listed) == ["sub/y.bin", "x.txt"]
    assert [p.name for p in out.iterdir()] == ["exam"]          # no staging folder left


def test_a_failure_while_filling_leaves_nothing_not_even_the_folders_it_made(tmp_path):
    out = tmp_path / "a" / "b"

    def fill(staging):
        (staging / "half.txt").write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        outdir.publish(out, "exam", fill)
    assert list(tmp_path.iterdir()) == []


def test_an_os_error_is_a_usage_error_naming_what_was_written(tmp_path):
    def fill(staging):
        raise PermissionError(13, "Permission denied")

    with pytest.raises(UsageError) as caught:
        outdir.publish(tmp_path / "out", "exam", fill, what="the grades")
    assert "cannot write the grades: Permission denied" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_symdl_did_not_write_is_refused_before_fill_runs(tmp_path):
    (tmp_path / "exam").mkdir()
    (tmp_path / "exam" / "mine.txt").write_text("the instructor's")
    ran = []
    with pytest.raises(UsageError):
        outdir.publish(tmp_path, "exam", ran.append)
    assert ran == [] and (tmp_path / "exam" / "mine.txt").read_text() == "the instructor's"


def test_carry_keeps_the_older_folders_files_and_replace_drops_them(tmp_path):
    outdir.publish(tmp_path, "exam", lambda s: outdir.write_files(s, {"key.tex": "key", "old.txt": "old"}))
    outdir.publish(tmp_path, "exam", lambda s: outdir.write_files(s, {"moodle.xml": "<quiz/>", "old.txt": "new"}),
                   carry=True)
    final = tmp_path / "exam"
    assert (final / "key.tex").read_text() == "key" and (final / "old.txt").read_text() == "new"
    assert outdir.foreign_files(final) == ""
    outdir.publish(tmp_path, "exam", lambda s: outdir.write_files(s, {"only.txt": "x"}))
    assert sorted(p.name for p in final.iterdir()) == [outdir.MANIFEST, "only.txt"]
