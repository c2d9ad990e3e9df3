"""Writing an export into OUT/<exam id>/: staged, listed in the folder's manifest, moved into place whole."""

from __future__ import annotations

from pathlib import Path

from symdl import outdir


def check_out(out: Path, final: Path):
    """Refuse an unusable ``out`` or a ``final`` folder symdl may not replace, before any derivation."""
    outdir.check_out(out, final)


def write(out, exam_id: str, name: str, data) -> Path:
    """``OUT/<exam_id>/<name>`` holding ``data`` (bytes, or a function writing them to a binary
    stream); the files symdl wrote there before (the key) are carried over, so the folder stays
    wholly symdl's. Returns the file's path."""
    def fill(staging):
        if callable(data):
            with open(staging / name, "wb") as stream:
                data(stream)
        else:
            (staging / name).write_bytes(data)

    final, _ = outdir.publish(Path(out), exam_id, fill, what="the export", carry=True)
    return final / name
