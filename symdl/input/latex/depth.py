"""Deeply nested LaTeX parsed on a worker thread with a larger, bounded stack, or refused past a stated depth."""

from __future__ import annotations

import sys
import threading

from symdl.errors import LatexError

SHALLOW = 100            # nesting the default stack and recursion limit parse (150 did, 200 did not)
MAX_DEPTH = 1000         # the deepest nesting parsed at all (the graph is built by a loop; 1,000 derive in ~24 s)
FRAMES_PER_LEVEL = 12    # Python frames one level of brackets costs the reader (5) and SymPy after it
STACK_BYTES = 64 * 2 ** 20   # the worker thread's stack: more than 1,000 levels take
_LOCK = threading.Lock()


def nesting(text: str) -> int:
    """The deepest nesting of brackets ( [ { in ``text``, counted in one pass."""
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest


def parse_deep(parse, text: str, *args):
    """``parse(text, *args)``, on this thread when shallow, else on a worker thread whose stack and
    recursion limit grow with the nesting (linear cost: each level is read once)."""
    depth = nesting(text)
    if depth <= SHALLOW:
        return parse(text, *args)
    if depth > MAX_DEPTH:
        raise LatexError(f"nested {depth} levels deep, past the limit of {MAX_DEPTH}: "
                         "write it as a program, one line per step")
    box: dict = {}

    def work():
        try:
            box["value"] = parse(text, *args)
        except BaseException as exc:    # handed back to the caller's thread as it was raised
            box["error"] = exc

    with _LOCK:                          # the recursion limit is the interpreter's, not the thread's
        limit, size = sys.getrecursionlimit(), threading.stack_size()
        sys.setrecursionlimit(max(limit, 1000 + FRAMES_PER_LEVEL * depth))
        try:
            threading.stack_size(STACK_BYTES)
            try:        # a daemon: a time limit's alarm may end the wait, and the exit must not wait for it
                worker = threading.Thread(target=work, name="symdl-deep-parse", daemon=True)
                worker.start()
            finally:
                threading.stack_size(size)
            worker.join()
        finally:
            sys.setrecursionlimit(limit)
    if "error" in box:
        raise box["error"]
    return box["value"]
