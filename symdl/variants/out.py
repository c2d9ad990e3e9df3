"""Writing variants: OUT/<exam id>-variants/ with variant-NNN/ folders, manifest.csv and the printing PDFs.

Each variant folder holds what ``derive`` writes (symdl.derive.documents, without the verification
report), with every ``.tex`` built to PDF in batches (symdl.variants.tex). Output safety is derive's: a staging
folder, a manifest of every file, the old folder replaced only when symdl wrote all of it.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

from symdl import outdir, variants
from symdl.derive import MAX_TEX_S
from symdl.errors import UsageError
from symdl.export import MAX_VARIANTS, TARGETS, assembly
from symdl.export.spool import write_file
from symdl.render import pdf as pdf_render
from symdl.solve import DEFAULT_TIME_LIMIT, prepare
from symdl.variants import tex

MANIFEST_CSV = "manifest.csv"


@dataclass
class Written:
    folder: Path
    variants: list = field(default_factory=list)     # (id, seed, digest, files)
    seconds: dict = field(default_factory=dict)      # phase -> seconds
    exports: list = field(default_factory=list)      # the LMS files written beside the variants
    pdf_note: str = ""


def write(spec, count, seed, out="out", *, pdf=True, data_dirs=(), time_limit_s=DEFAULT_TIME_LIMIT,
          workers=variants.WORKERS, progress=None, export=(), multiple_choice=False, math=None) -> Written:
    """Derive ``count`` variants and write them to ``out/<exam id>-variants/`` (replacing an older run);
    with ``export`` (LMS targets), the Moodle XML / Canvas zip of all of them beside, from the same
    derivations (each variant's part made in the process that derived it)."""
    started = time.monotonic()
    drawn = prepare(spec, count, seed, data_dirs)    # the spec read once; bad input refused before anything is made
    if export and count > MAX_VARIANTS:
        raise UsageError(f"--export: at most {MAX_VARIANTS} variants in one LMS file, not {count}")
    lms = _Lms(drawn.first, tuple(export), multiple_choice, math)
    try:
        return _write(drawn, out, pdf, time_limit_s, workers, progress, lms, started)
    finally:
        lms.close()


def _write(drawn, out, pdf, time_limit_s, workers, progress, lms, started) -> Written:
    out = Path(out)
    name = f"{drawn.first.id}-variants"
    outdir.check_out(out, out / name)
    written = Written(out / name)

    def fill(staging):
        texs = _derive_into(staging, drawn, time_limit_s, workers, progress, written, lms)
        written.exports = lms.write(staging, progress)
        written.seconds["derive"] = time.monotonic() - started
        if pdf:
            _pdfs(staging, texs, written, progress, time_limit_s)
        written.seconds["tex"] = time.monotonic() - started - written.seconds["derive"]
        _manifest_csv(staging, written)

    outdir.publish(out, name, fill, what="the variants")
    written.seconds["total"] = time.monotonic() - started
    return written


class _Lms:
    """The LMS files asked for, each variant's part added as it arrives (kept on disk, not in memory)."""

    def __init__(self, exam, targets, multiple_choice=False, math=None):
        self.targets, self.multiple_choice, self.math = targets, multiple_choice, math
        self.made = {target: assembly(target, exam) for target in targets}

    def add(self, exported: dict):
        for target, part in exported.items():
            self.made[target].add(part)

    def write(self, staging, progress) -> list:
        for target, made in self.made.items():
            if progress:
                progress(f"writing {TARGETS[target]} ({made.count} variants)")
            write_file(staging / TARGETS[target], made.write)
        return [TARGETS[t] for t in self.targets]

    def close(self):
        for made in self.made.values():
            made.close()


def _derive_into(staging, drawn, time_limit_s, workers, progress, written, lms) -> dict:
    """Write each variant's documents as it arrives; return {tex name: [its path in each variant]}."""
    texs = {}
    for variant in variants.iter_variants(drawn, time_limit_s=time_limit_s, workers=workers, keep=False,
                                          render=True, progress=progress, export=lms.targets,
                                          multiple_choice=lms.multiple_choice, math=lms.math):
        lms.add(variant.exported)
        folder = staging / f"variant-{variant.id}"
        try:
            folder.mkdir()
            for name, text in variant.sources.items():
                (folder / name).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write the output folder: {exc.strerror or exc}", file=staging) from None
        for name in variant.sources:
            if name.endswith(".tex"):
                texs.setdefault(name, []).append(folder / name)        # read back from disk when typeset
        written.variants.append([variant.id, variant.seed, variant.digest])
    return texs


def _pdfs(staging, texs, written, progress, time_limit_s):
    """Each .tex of every variant built to PDF (batched), and one printing PDF per document."""
    if not pdf_render.tex_available():
        written.pdf_note = "PDFs not built: latexmk/pdflatex not found"
        return
    timeout = MAX_TEX_S if time_limit_s is None else max(60.0, time_limit_s * 10)
    for name, sources in texs.items():
        stem = name[:-4]
        if progress:
            progress(f"building {len(sources)} x {stem}.pdf in batches")
        tex.build_files(sources, timeout, printing=staging / f"all-{stem}s.pdf")


def _manifest_csv(staging, written):
    rows = io.StringIO()
    table = csv.writer(rows, lineterminator="\n")
    table.writerow(["variant", "seed", "digest", "files"])
    for entry in written.variants:
        folder = staging / f"variant-{entry[0]}"
        files = sorted(p.name for p in folder.iterdir())
        entry.append(files)
        table.writerow([entry[0], entry[1], entry[2], " ".join(f"variant-{entry[0]}/{f}" for f in files)])
    (staging / MANIFEST_CSV).write_text(rows.getvalue(), encoding="utf-8")
