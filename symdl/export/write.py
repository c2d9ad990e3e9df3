"""Writing an export into OUT/<exam id>/: staged, listed in the folder's manifest, moved into place whole."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from symdl import outdir
from symdl.errors import UsageError


def check_out(out: Path, final: Path):
    """Refuse an unusable ``out`` or a ``final`` folder symdl may not replace, before any derivation."""
    try:
        if out.exists() and not out.is_dir():
            raise UsageError("output path exists and is not a folder", file=out)
        if out.is_dir():
            with outdir.locked(out):
                outdir.check_replaceable(final)
    except OSError as exc:
        raise UsageError(f"unusable output folder: {exc.strerror or exc}", file=out) from None


def write(out, exam_id: str, name: str, data) -> Path:
    """``OUT/<exam_id>/<name>`` holding ``data`` (bytes, or a function writing them to a binary
    stream); the files symdl wrote there before (the key) are carried over, so the folder stays
    wholly symdl's. Returns the file's path."""
    out = Path(out)
    final = out / exam_id
    check_out(out, final)
    created = _make_folder(out)
    staging = None
    try:
        staging = outdir.staging_folder(out, exam_id)
        with outdir.locked(out):
            outdir.check_replaceable(final)
            if final.is_dir():
                for path in sorted(final.iterdir()):
                    if path.name not in (name, outdir.MANIFEST) and path.is_file():
                        shutil.copyfile(path, staging / path.name)
            if callable(data):
                with open(staging / name, "wb") as stream:
                    data(stream)
            else:
                (staging / name).write_bytes(data)
            outdir.write_manifest(staging)
            outdir.replace(staging, final)
    except OSError as exc:
        if staging is not None:
            outdir.discard(staging)
        _remove_created(created)
        raise UsageError(f"cannot write the export: {exc.strerror or exc}", file=final) from None
    except BaseException:
        if staging is not None:
            outdir.discard(staging)
        _remove_created(created)
        raise
    return final / name


def _make_folder(out: Path) -> list:
    missing = [f for f in [out, *out.parents] if not f.exists() and str(f) not in ("", ".")]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the output folder: {exc.strerror or exc}", file=out) from None
    return missing


def _remove_created(created: list):
    with contextlib.suppress(OSError):
        for folder in created:
            folder.rmdir()
