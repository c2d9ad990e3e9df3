"""LMS export: the derived questions as Moodle XML or a Canvas QTI 1.2 package.

The export reads results already derived and verified, handed in by its caller (the ``export`` and
``variants`` commands), a list of (variant id, exam, results): one item without variants (variant
id None), one per variant with them; or each variant's part (``fragments``), made where the variant
was derived. It never derives. See docs/lms.md.
"""

from __future__ import annotations

import io

from symdl.errors import UsageError, VerificationFailed
from symdl.export import canvas, content, moodle
from symdl.export.write import write

TARGETS = {"moodle": "moodle.xml", "canvas": "canvas-qti.zip"}
DEFAULT_MATH = {"moodle": "tex", "canvas": "tex"}       # why: docs/lms.md
MAX_VARIANTS = 1000


def render(target, items, *, multiple_choice=False, math=None) -> bytes:
    """The file's bytes for ``target`` ("moodle" or "canvas") from ``items``."""
    _check_target(target)
    if not items:
        raise UsageError("nothing to export: no exam given")
    unverified = [f"{'variant ' + str(v) + ' ' if v else ''}{r.question.id}"
                  for v, _, results in items for r in results if not r.verified]
    if unverified:
        raise VerificationFailed(f"not exported: the answers of {', '.join(unverified[:8])} failed verification")
    math = math or DEFAULT_MATH[target]
    make = _part_maker(target)
    prepared = content.pages(items, math=math)        # every item's pages, two processes from 8 on
    with assembly(target, items[0][1]) as made:
        for position, (variant, exam, results) in enumerate(items):
            made.add(make(variant, exam, results, multiple_choice=multiple_choice, math=math,
                          pages={qid: page for (at, qid), page in prepared.items() if at == position}))
        out = io.BytesIO()
        made.write(out)
    return out.getvalue()


def _part_maker(target):
    """The function making one variant's part of ``target``'s file (see ``fragments``)."""
    return moodle.variant_questions if target == "moodle" else canvas.variant_items


def targets(text) -> tuple:
    """``"moodle,canvas"`` as the targets' names, in the order given (UsageError for an unknown one)."""
    names = tuple(dict.fromkeys(t.strip().lower() for t in str(text).split(",") if t.strip()))
    if not names:
        raise UsageError(f"--export: no target named in {text!r} (known: {', '.join(TARGETS)})")
    for name in names:
        _check_target(name)
    return names


def fragments(names, variant, exam, results, *, multiple_choice=False, math=None) -> dict:
    """target -> one variant's part of each export (strings only), made where the variant was
    derived; ``assemble`` puts every variant's parts together into the file ``render`` writes."""
    unverified = [r.question.id for r in results if not r.verified]
    if unverified:
        raise VerificationFailed(f"not exported: the answers of variant {variant} {', '.join(unverified)} "
                                 "failed verification")
    out = {}
    for name in names:
        out[name] = _part_maker(name)(variant, exam, results, multiple_choice=multiple_choice, math=math or DEFAULT_MATH[name])
    return out


def assembly(target, exam):
    """The file for ``target`` being put together: ``add`` each variant's ``fragments(...)[target]``
    in variant order, then ``write`` it to a binary stream; a context manager (its scratch file
    is removed on exit)."""
    _check_target(target)
    if target == "moodle":
        return moodle.Assembly(exam, [q.id for q in exam.questions])
    return canvas.Assembly(exam)


def export(target, items, out="out", *, multiple_choice=False, math=None):
    """Write ``OUT/<exam id>/moodle.xml`` or ``canvas-qti.zip`` (staged, with the folder's manifest;
    the other files symdl wrote there, the answer key, stay). Returns the file's path."""
    _check_target(target)
    exam = items[0][1]
    data = render(target, items, multiple_choice=multiple_choice, math=math)
    return write(out, exam.id, TARGETS[target], data)


def export_variants(target, exam, variants, out="out"):
    """Write ``OUT/<exam id>/`` ``moodle.xml`` or ``canvas-qti.zip`` of ``variants`` (each carrying its
    part, ``exported[target]``, made where it was derived), put together on disk in their order."""
    with assembly(target, exam) as made:
        for variant in variants:
            made.add(variant.exported[target])
        return write(out, exam.id, TARGETS[target], made.write)


def _check_target(target):
    if target not in TARGETS:
        raise UsageError(f"unknown export target {target!r} (known: {', '.join(TARGETS)})")
