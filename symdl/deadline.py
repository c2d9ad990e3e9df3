"""Time limits over every phase: reading the spec, each question's derivation, verification and rendering, then TeX."""

from __future__ import annotations

import contextlib
import math
import signal
import threading

from symdl.errors import TimeLimitError

# A limit beyond this (about four months) means "no practical limit": no alarm is set at all
# (setitimer and poll() refuse values much larger than this).
NO_LIMIT_ABOVE_S = 1e7


def effective(seconds):
    """``seconds`` as an alarm length, or None when there is no (practical) limit."""
    if seconds is None or not seconds > 0 or math.isinf(seconds) or seconds >= NO_LIMIT_ABOVE_S:
        return None
    return float(seconds)


def _alarms_possible() -> bool:
    return hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_limit(seconds, question, what="derivation", limit=None):
    """Raise TimeLimitError when the body runs longer than ``seconds`` (main thread only).

    ``limit`` is the limit named in the message (default: ``seconds``). The alarm raises
    inside the running code; should that code swallow the exception (a broad ``except``),
    the limit is still reported when the body ends, whatever it raised.
    """
    reading_done()
    seconds = effective(seconds)
    if seconds is None or not _alarms_possible():
        yield
        return
    fired = []
    shown = seconds if limit is None else limit

    def expired():
        return TimeLimitError(f"{what} exceeded the time limit of {shown:g} s",
                              file=question.file, question=question.id)

    def on_alarm(signum, frame):
        fired.append(True)
        raise expired()

    with _alarm(on_alarm, fired, expired, seconds):
        yield


_READING = []          # [True] while the spec is being read under ``reading``


@contextlib.contextmanager
def reading(seconds, file):
    """The time limit over reading the spec (the TOML, the draws, the conditions, the fields): from here
    until the first question's own limit starts (``time_limit``) or ``reading_done()``, whichever is first.

    Numbers in specs are bounded where they are read, so a spec reads in milliseconds; this is the
    backstop that keeps ``--time-limit`` true for every phase.
    """
    seconds = effective(seconds)
    if seconds is None or not _alarms_possible():
        yield
        return

    def on_alarm(signum, frame):
        if _READING:                    # else reading is over; a later phase has its own limit
            raise TimeLimitError(f"reading the spec exceeded the time limit of {seconds:g} s", file=file)

    _READING.append(True)
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        _READING.clear()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def reading_done():
    """The spec is read: stop its time limit (a question's derivation or a worker pool takes over)."""
    if _READING:
        _READING.clear()
        if _alarms_possible():
            signal.setitimer(signal.ITIMER_REAL, 0)


@contextlib.contextmanager
def _alarm(on_alarm, fired, expired, seconds=None):
    """SIGALRM handled by ``on_alarm`` while the body runs (set for ``seconds`` when given).

    An alarm that fired (``fired`` not empty) is reported as ``expired()`` however the body
    ended: code that swallows the exception (a broad ``except``) cannot hide it.
    """
    previous = signal.signal(signal.SIGALRM, on_alarm)
    if seconds is not None:
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except TimeLimitError:
        raise
    except BaseException:
        if fired:
            raise expired() from None
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if fired:
        raise expired()


class PerQuestion(list):
    """The results of an exam, each question's rendering timed against what is left of its limit.

    A renderer iterates over the results (a Jinja2 ``for`` loop, a comprehension); as each
    result is handed out, the alarm is set to that question's limit minus the seconds its
    derivation took, so the TimeLimitError names the question being rendered.
    """

    def __init__(self, results, limit_s):
        super().__init__(results)
        self.limit_s = effective(limit_s)
        self.current = None

    def __iter__(self):
        try:
            for result in list.__iter__(self):
                self.current = result
                if self.limit_s is not None:
                    signal.setitimer(signal.ITIMER_REAL, max(self.limit_s - result.seconds, 0.001))
                yield result
        finally:
            if self.limit_s is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
            self.current = None


@contextlib.contextmanager
def rendering(results, limit_s):
    """Yield a PerQuestion of ``results``; an alarm while one is rendered names that question."""
    timed = PerQuestion(results, limit_s)
    if timed.limit_s is None or not _alarms_possible():
        yield timed
        return
    fired = []

    def expired():
        result = fired[0]
        return TimeLimitError(f"derivation and rendering exceeded the time limit of {timed.limit_s:g} s "
                              f"(derivation {result.seconds:.1f} s)",
                              file=result.question.file, question=result.question.id)

    def on_alarm(signum, frame):
        if timed.current is None:
            return                      # a stale alarm between questions: nothing to stop
        fired.append(timed.current)
        raise expired()

    with _alarm(on_alarm, fired, expired):
        yield timed
