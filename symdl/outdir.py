"""Output folders: staged, marked with a manifest of what symdl wrote, replaced only when wholly symdl's."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import signal
import tempfile
import threading
from pathlib import Path

from symdl.errors import UsageError

MANIFEST = ".symdl-manifest.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tree(folder: Path):
    """(files, folders) below ``folder`` as relative POSIX paths, symbolic links listed as files."""
    files, folders = [], []
    for root, dirs, names in os.walk(folder):
        rel = Path(root).relative_to(folder)
        for name in list(dirs):
            if (Path(root) / name).is_symlink():
                dirs.remove(name)
                names.append(name)
            else:
                folders.append((rel / name).as_posix())
        files += [(rel / name).as_posix() for name in names]
    return sorted(files), sorted(folders)


def write_manifest(folder: Path):
    """List every file of ``folder`` and of its subfolders (relative paths and sha256) in its manifest."""
    files = {name: _sha256(folder / name) for name in _tree(folder)[0] if name != MANIFEST}
    text = json.dumps({"written_by": "symdl", "files": files}, indent=2, sort_keys=True) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def foreign_files(folder: Path) -> str:
    """Why symdl may not replace ``folder`` ('' when it may: it holds only what symdl wrote)."""
    if folder.is_symlink():
        return "is a symbolic link, not a folder symdl wrote"
    if not folder.exists():
        return ""
    if not folder.is_dir():
        return "exists and is not a folder"
    entries = sorted(p.name for p in folder.iterdir())
    try:
        listed = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
        if not isinstance(listed, dict):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
        return (f"is not a folder symdl wrote (no valid {MANIFEST}){': it holds ' + shown if entries else ''}; "
                "choose another --out or move it away")
    files, folders = _tree(folder)
    holders = {str(Path(name).parent.as_posix()) for name in listed}
    holders |= {p.as_posix() for name in listed for p in Path(name).parents}
    foreign = [name for name in files if name != MANIFEST and name not in listed]
    foreign += [name for name in folders if name not in holders]
    if foreign:
        return (f"holds files symdl did not write ({', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''}); "
                "move them away or choose another --out")
    for name in files:
        path = folder / name
        if name != MANIFEST and (path.is_symlink() or not path.is_file() or _sha256(path) != listed[name]):
            return f"{name} was changed after symdl wrote it; move it away or choose another --out"
    return ""


def check_replaceable(final: Path):
    """Raise UsageError (exit 2, naming the folder) unless symdl may replace ``final``."""
    try:
        why = foreign_files(final)
    except OSError as exc:
        raise UsageError(f"cannot read the output folder: {exc.strerror or exc}", file=final) from None
    if why:
        raise UsageError(why, file=final)


def staging_folder(out: Path, name: str) -> Path:
    """A new hidden folder in ``out`` for the files of one run, with the user's umask."""
    for attempt in range(5):
        try:
            out.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=out))
            break
        except FileNotFoundError:
            if attempt == 4:        # ``out`` vanished each time (another run removed it, empty)
                raise
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)       # mkdtemp makes 0700; the key should be shareable
    return staging


@contextlib.contextmanager
def locked(out: Path):
    """Hold an exclusive lock on the folder ``out`` itself (no lock file is made)."""
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)            # closing releases the lock


def replace(staging: Path, final: Path):
    """Move ``staging`` to ``final`` (hold ``locked(final.parent)``), replacing an older symdl folder.

    The older folder is checked again here, under the lock; only the files its manifest lists
    are deleted. Should the move fail, the older folder is put back.
    """
    check_replaceable(final)
    with _signals_held():
        _swap(staging, final)


@contextlib.contextmanager
def _signals_held():
    """Hold SIGTERM and SIGINT (main thread) while two renames must both happen; deliver them after."""
    held = {signal.SIGTERM, signal.SIGINT}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _swap(staging: Path, final: Path):
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.{secrets.token_hex(4)}.old")
        final.rename(old)
    try:
        staging.rename(final)
    except OSError:
        if old is not None:
            old.rename(final)       # put the previous key back
        raise
    if old is not None:
        _remove_own(old)


def _remove_own(folder: Path):
    """Delete the files a manifest lists (and the manifest), then the folder if it is empty."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        listed = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
        files, folders = _tree(folder)              # only names really in the folder: no "../x"
        for name in files:
            path = folder / name
            if (name in listed or name == MANIFEST) and path.is_file() and not path.is_symlink():
                path.unlink()
        for name in reversed(folders):               # deepest first; a folder left non-empty stays
            with contextlib.suppress(OSError):
                (folder / name).rmdir()
        folder.rmdir()


def check_out(out: Path, final: Path):
    """Refuse (UsageError, exit 2) an unusable ``out`` or a ``final`` folder symdl may not replace;
    every command calls it before any derivation, so a refusal costs nothing."""
    try:
        if out.exists() and not out.is_dir():
            raise UsageError("output path exists and is not a folder", file=out)
        if out.is_dir():
            with locked(out):           # not while another run swaps the folder
                check_replaceable(final)
    except OSError as exc:
        raise UsageError(f"unusable output folder: {exc.strerror or exc}", file=out) from None


def publish(out, name: str, fill, *, what: str = "the output folder", carry: bool = False):
    """Write the folder ``out/name`` whole; return ``(folder, what fill returned)``.

    ``fill(staging)`` writes the files into a staging folder inside ``out`` (and builds what it
    builds there); then, under a lock on ``out``, the older ``out/name`` is checked again (only a
    folder symdl wrote, unchanged, is replaced), with ``carry`` the older folder's files that
    staging lacks are carried over (an export added beside the key), every file is listed in the
    manifest and the staging folder takes the older one's place. On any failure (bad input, a time
    limit, an interrupt) the staging folder and the folders this call created are removed; an
    OSError becomes a UsageError naming ``what`` (exit 2).
    """
    out = Path(out)
    final = out / name
    check_out(out, final)
    created, staging = _make_folder(out), None
    try:
        staging = staging_folder(out, name)
        result = fill(staging)
        with locked(out):
            check_replaceable(final)
            if carry and final.is_dir():
                for path in sorted(final.iterdir()):
                    if path.name != MANIFEST and path.is_file() and not path.is_symlink() \
                            and not (staging / path.name).exists():
                        shutil.copyfile(path, staging / path.name)
            write_manifest(staging)
            replace(staging, final)
    except OSError as exc:
        _undo(staging, created)
        raise UsageError(f"cannot write {what}: {exc.strerror or exc}", file=final) from None
    except BaseException:
        _undo(staging, created)
        raise
    return final, result


def write_files(folder: Path, files: dict):
    """Write ``files`` (relative name -> text or bytes) into ``folder``, making subfolders."""
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def _make_folder(out: Path) -> list:
    """Create ``out`` (and missing parents); return the folders created, deepest first."""
    missing = []
    try:
        for folder in [out, *out.parents]:
            if folder.exists() or str(folder) in ("", "."):
                break
            missing.append(folder)
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the output folder: {exc.strerror or exc}", file=out) from None
    return missing


def _undo(staging, created: list):
    """Remove this run's staging folder and the folders it created (deepest first, only when empty)."""
    if staging is not None:
        discard(staging)
    with contextlib.suppress(OSError):
        for folder in created:
            folder.rmdir()


def discard(staging: Path):
    """Remove a staging folder of this run (everything in it was written by this run)."""
    shutil.rmtree(staging, ignore_errors=True)
