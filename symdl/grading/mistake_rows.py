"""Each mistake once per question: the cross-mistake part of grading the mistakes.

After grading.attach_mistakes has dropped, answer by answer, every mistake whose value is the
right answer, a question's mistakes are grouped by name (the stable slug a kind gives one
mistake on every answer it changes) and:

- a mistake listed twice on one answer keeps its first value;
- a mistake whose values on every answer it affects are those of a mistake listed before it
  (the same answers, the same values) is dropped: a student who makes either writes the same;
- at most :data:`MAX_MISTAKES` mistakes are kept per question, the first ones the kind lists.

The kind's order is read back from the answers: each answer lists its mistakes in the kind's
order, so a mistake comes before another when some answer lists it first (ties, and mistakes no
answer shares, in the order they first appear). :func:`by_name` gives the groups in that order,
each mistake once with the answers it affects: what the rubric shows.
"""

from __future__ import annotations

from symdl.grading.values import same_value

MAX_MISTAKES = 8


def asked(meta) -> bool:
    """Whether the exam grades the answer ``meta`` (the kinds list mistakes on those): the kind's
    ``graded`` mark when it gives one, else whether the answer is final."""
    graded = getattr(meta, "graded", None)
    return bool(meta.final if graded is None else graded)


def asked_names(solution) -> list:
    """The names of the answers the exam grades, in order."""
    return [name for name, meta in solution.meta.items() if asked(meta)]


def by_name(solution) -> dict:
    """{mistake name: {answer name: Mistake}}, the mistakes in the kind's order (see the module)."""
    groups: dict = {}
    before: dict = {}                    # name -> the names some answer lists before it
    for answer, meta in solution.meta.items():
        names = []
        for mistake in meta.mistakes or []:
            groups.setdefault(mistake.name, {}).setdefault(answer, mistake)
            if mistake.name not in names:
                before.setdefault(mistake.name, set()).update(names)
                names.append(mistake.name)
    order, left = [], list(groups)
    while left:                          # the first that nothing left precedes (a cycle: the first left)
        ready = [n for n in left if not (before[n] & set(left))] or left
        order.append(ready[0])
        left.remove(ready[0])
    return {name: groups[name] for name in order}


def _same_rows(a: dict, b: dict, solution) -> bool:

    return a.keys() == b.keys() and all(
        same_value(a[k].value, b[k].value, solution.meta[k].tolerance) for k in a)


def dedupe(solution, limit: int = MAX_MISTAKES) -> None:
    """Keep each mistake of ``solution`` once (see the module's rules), in place."""
    groups = by_name(solution)
    kept: dict = {}
    for name, rows in groups.items():
        if len(kept) >= limit or any(_same_rows(rows, other, solution) for other in kept.values()):
            continue
        kept[name] = rows
    for answer, meta in solution.meta.items():
        meta.mistakes = [m for m in meta.mistakes or [] if m.name in kept and kept[m.name].get(answer) is m]
