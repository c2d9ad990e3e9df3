"""Putting an LMS file together from every variant's part without holding them all in memory.

A variant's part (its Moodle questions, its Canvas items) arrives as text from the process that
derived it. The file groups them per question (Moodle) or per number (Canvas) across variants, so
nothing can be written until the last variant is in: the parts wait in a scratch file on disk,
each under its key, and are copied out key by key, in the order the keys were first met. The
parent process then holds one variant's part at a time, whatever the count (a Canvas item repeats
its question's whole text: DI504 comes to about 1.2 MB a variant).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

CHUNK = 1 << 20


class Spool:
    """Texts appended under keys, kept in one scratch file, read back per key in first-seen order."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="symdl-export-"))
        self.file = open(self.folder / "parts", "w+b")
        self.keys: dict = {}          # key -> [info given with its first text, [(offset, length), ...]]
        self.size = 0

    def add(self, key, text: str, info=None):
        data = text.encode("utf-8")
        entry = self.keys.setdefault(key, [info, []])
        entry[1].append((self.size, len(data)))
        self.file.seek(self.size)
        self.file.write(data)
        self.size += len(data)

    def info(self, key):
        return self.keys[key][0]

    def copy(self, key, out, index=None):
        """Write the texts of ``key`` (UTF-8 bytes) to the binary stream ``out``, in the order added
        (only its ``index``-th text when given)."""
        self.file.flush()
        entries = self.keys[key][1]
        for offset, length in (entries if index is None else entries[index:index + 1]):
            self.file.seek(offset)
            while length > 0:
                data = self.file.read(min(CHUNK, length))
                out.write(data)
                length -= len(data)

    def texts(self, key):
        """The texts of ``key`` as strings, one at a time, in the order added."""
        self.file.flush()
        for offset, length in self.keys[key][1]:
            self.file.seek(offset)
            yield self.file.read(length).decode("utf-8")

    def close(self):
        self.file.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Spooled:
    """What an LMS file being put together (moodle.Assembly, canvas.Assembly) shares: its
    ``spool``, removed on ``close`` or at the end of a ``with`` block."""

    spool: Spool

    def close(self):
        self.spool.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def write_file(path: Path, write):
    """``write(stream)`` into ``path`` (binary), the file removed again when writing fails."""
    try:
        with open(path, "wb") as out:
            write(out)
    except BaseException:
        if os.path.exists(path):
            os.unlink(path)
        raise
