"""--time-limit (symdl/deadline.py) on a controlled clock: no test here waits for real time.

``Clock`` stands in for the ``signal`` module deadline.py uses: ``setitimer`` records when the
alarm is due on the clock's own time, ``advance`` moves that time on and, when the alarm is due,
calls the SIGALRM handler deadline.py installed, as the kernel would, inside the running code.
So each case says exactly how long the body "ran", whatever the machine's load.
"""

from __future__ import annotations

import signal as real_signal
import types

import pytest

import fakekind
from symdl import deadline
from symdl import derive as derive_module
from symdl import solve as solve_module
from symdl.errors import TimeLimitError


class Clock:
    SIGALRM = real_signal.SIGALRM
    ITIMER_REAL = real_signal.ITIMER_REAL

    def __init__(self):
        self.now = 0.0
        self.alarm_at = None          # clock time the alarm is due, None when no alarm is set
        self.armed = []               # every non-zero alarm length set, in order
        self.handler = real_signal.SIG_DFL

    # -- the part of the signal module deadline.py uses --
    def signal(self, signum, handler):
        assert signum == self.SIGALRM
        previous, self.handler = self.handler, handler
        return previous

    def setitimer(self, which, seconds, interval=0.0):
        assert which == self.ITIMER_REAL
        self.alarm_at = None if seconds == 0 else self.now + seconds
        if seconds:
            self.armed.append(seconds)
        return (0.0, 0.0)

    # -- the test's side --
    def advance(self, seconds):
        """Let ``seconds`` pass; a due alarm calls the handler here, in the running code."""
        self.now += seconds
        if self.alarm_at is not None and self.now >= self.alarm_at:
            self.alarm_at = None
            self.handler(self.SIGALRM, None)

    def monotonic(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(deadline, "signal", clock)
    for module in (derive_module, solve_module):        # derive's PDF budget, solve's question seconds
        monkeypatch.setattr(module, "time", types.SimpleNamespace(monotonic=clock.monotonic,
                                                                  perf_counter=clock.monotonic))
    return clock


QUESTION = types.SimpleNamespace(file="exam.toml", id="Q1")


@pytest.mark.parametrize("seconds, expected", [
    (None, None), (0, None), (-1, None), (float("nan"), None), (float("inf"), None), (1e7, None), (1e308, None),
    (0.5, 0.5), (120, 120.0), (9.9e6, 9.9e6)])
def test_effective_limit(seconds, expected):
    assert deadline.effective(seconds) == expected


def test_a_body_within_its_limit_runs_to_the_end_and_the_alarm_is_cleared(clock):
    with deadline.time_limit(0.5, QUESTION):
        clock.advance(0.49)
    assert clock.armed == [0.5] and clock.alarm_at is None
    assert clock.handler is real_signal.SIG_DFL          # the handler before it is back
    clock.advance(100)                                   # nothing is due any more


def test_a_body_past_its_limit_is_stopped_inside_and_named(clock):
    reached = []
    with pytest.raises(TimeLimitError, match=r"derivation exceeded the time limit of 0\.5 s$") as info:
        with deadline.time_limit(0.5, QUESTION):
            clock.advance(0.5)
            reached.append("after the alarm")            # never: the alarm raised in the body
    assert reached == [] and info.value.question == "Q1" and info.value.file == "exam.toml"
    assert clock.alarm_at is None and clock.handler is real_signal.SIG_DFL


def test_a_body_that_swallows_the_alarm_is_still_reported(clock):
    with pytest.raises(TimeLimitError, match="time limit of 0.2 s"):
        with deadline.time_limit(0.2, QUESTION):
            try:
                clock.advance(1.0)
            except BaseException:  # noqa: BLE001 - careless code, as fakekind's ``swallow``
                pass


def test_an_error_after_the_alarm_is_reported_as_the_time_limit(clock):
    with pytest.raises(TimeLimitError, match="time limit of 1 s"):
        with deadline.time_limit(1, QUESTION):
            try:
                clock.advance(2)
            except TimeLimitError:
                raise ValueError("cleaning up went wrong") from None


def test_the_limit_named_may_differ_from_the_seconds_left(clock):
    with pytest.raises(TimeLimitError, match=r"the PDF build \(3\.0 s left\) exceeded the time limit of 8 s$"):
        with deadline.time_limit(3.0, QUESTION, what="the PDF build (3.0 s left)", limit=8):
            clock.advance(3.0)


@pytest.mark.parametrize("seconds", [None, 0, float("inf"), 1e12])
def test_no_limit_sets_no_alarm(clock, seconds):
    with deadline.time_limit(seconds, QUESTION):
        clock.advance(1e9)
    assert clock.armed == [] and clock.handler is real_signal.SIG_DFL


def test_reading_the_spec_is_limited_until_reading_is_done(clock):
    with pytest.raises(TimeLimitError, match=r"reading the spec exceeded the time limit of 3 s$") as info:
        with deadline.reading(3, "exam.toml"):
            clock.advance(3)
    assert info.value.file == "exam.toml" and clock.alarm_at is None

    with deadline.reading(3, "exam.toml"):
        clock.advance(2.9)
        deadline.reading_done()                          # a question's own limit takes over
        assert clock.alarm_at is None
        clock.advance(100)                               # nothing fires
    assert clock.handler is real_signal.SIG_DFL


def test_a_question_s_limit_ends_the_reading_limit(clock):
    with deadline.reading(3, "exam.toml"):
        clock.advance(2)
        with deadline.time_limit(10, QUESTION):          # reading_done(), then 10 s of its own
            clock.advance(9)
    assert clock.armed == [3, 10]


def _results(*seconds):
    return [types.SimpleNamespace(question=types.SimpleNamespace(file="exam.toml", id=f"Q{i}"), seconds=s)
            for i, s in enumerate(seconds, start=1)]


def test_rendering_gets_what_is_left_of_each_question_s_limit(clock):
    results = _results(1.5, 4.0)
    with deadline.rendering(results, 5) as timed:
        seen = [r.question.id for r in timed]
    assert seen == ["Q1", "Q2"]
    assert clock.armed == [3.5, 1.0] and clock.alarm_at is None   # 5 - 1.5 and 5 - 4.0


def test_rendering_past_the_limit_names_the_question_being_rendered(clock):
    """Q1 derived in 1.5 s of its 5 s: 3.5 s are left to render it; it takes 3.6 s."""
    with pytest.raises(TimeLimitError, match=r"derivation and rendering exceeded the time limit of 5 s "
                                             r"\(derivation 1\.5 s\)$") as info:
        with deadline.rendering(_results(1.5, 4.0), 5) as timed:
            for _ in timed:
                clock.advance(3.6)
    assert info.value.question == "Q1" and info.value.file == "exam.toml"


def test_rendering_stops_the_second_question_not_the_first(clock):
    with pytest.raises(TimeLimitError, match=r"derivation 4\.0 s") as info:
        with deadline.rendering(_results(1.5, 4.0), 5) as timed:
            for result in timed:
                clock.advance(3.0 if result.question.id == "Q1" else 1.5)
    assert info.value.question == "Q2"


def test_a_stale_alarm_between_questions_stops_nothing(clock):
    timed = None
    with deadline.rendering(_results(1.0), 5) as timed:
        for _ in timed:
            pass
        clock.handler(clock.SIGALRM, None)               # an alarm that arrives after the loop
    assert timed.current is None and clock.alarm_at is None


def test_an_exam_past_its_limit_leaves_no_folder(clock, tmp_path, monkeypatch):
    """The whole derive on the controlled clock: Q2's derivation runs 0.6 s of a 0.5 s limit."""
    fakekind.install(monkeypatch)
    monkeypatch.setattr(fakekind, "_spin", lambda seconds, swallow: clock.advance(seconds))
    spec = tmp_path / "exam.toml"
    spec.write_text(fakekind.spec({"a": "1", "b": "2", "spin": 0.4}, {"a": "3", "b": "4", "spin": 0.6}))
    with pytest.raises(TimeLimitError, match=r"derivation exceeded the time limit of 0\.5 s$") as info:
        derive_module.derive(spec, tmp_path / "out", pdf=False, time_limit_s=0.5)
    assert info.value.question == "Q2"
    assert not (tmp_path / "out").exists()


def test_rendering_past_the_limit_in_derive(clock, tmp_path, monkeypatch):
    """Q2 derives in 0.3 s, then its rendering takes 10 s of the 0.5 s limit: stopped, nothing written."""
    from symdl.render import latex

    fakekind.install(monkeypatch)
    monkeypatch.setattr(fakekind, "_spin", lambda seconds, swallow: clock.advance(seconds))
    spec = tmp_path / "exam.toml"
    spec.write_text(fakekind.spec({"a": "1", "b": "2"}, {"a": "3", "b": "4", "spin": 0.3}))

    def slow_render(exam, results, document="model"):
        for result in results:
            if result.question.id == "Q2":
                clock.advance(10)
        return "tex"

    monkeypatch.setattr(latex, "render", slow_render)
    with pytest.raises(TimeLimitError, match=r"rendering exceeded the time limit of 0\.5 s \(derivation 0\.3 s\)") as info:
        derive_module.derive(spec, tmp_path / "out", pdf=False, time_limit_s=0.5)
    assert info.value.question == "Q2"
    assert not (tmp_path / "out").exists()


def test_the_pdf_build_gets_what_is_left_of_the_exam_s_budget(clock, tmp_path, monkeypatch):
    """Two questions at 4 s each: an 8 s budget from the start; the derivation used 5 s of it, so
    the first TeX run has 3 s; it takes 3.5 s and is stopped, naming the budget; nothing written."""
    from symdl.render import pdf as pdf_render

    fakekind.install(monkeypatch)
    monkeypatch.setattr(fakekind, "_spin", lambda seconds, swallow: clock.advance(seconds))
    monkeypatch.setattr(pdf_render, "tex_available", lambda: True)
    builds = []

    def slow_build(tex_file, timeout=300):
        builds.append((tex_file.name, timeout))
        clock.advance(3.5)
        raise AssertionError("not reached: the alarm stops the build")

    monkeypatch.setattr(pdf_render, "build", slow_build)
    spec = tmp_path / "exam.toml"
    spec.write_text(fakekind.spec({"a": "1", "b": "2", "spin": 2.0}, {"a": "3", "b": "4", "spin": 3.0}))
    with pytest.raises(TimeLimitError, match=r"the PDF build \(3\.0 s left\) exceeded the time limit of 8 s$"):
        derive_module.derive(spec, tmp_path / "out", pdf=True, time_limit_s=4)
    assert builds == [("answer-key.tex", 33.0)]          # TeX's own timeout: what is left + 30 s
    assert not (tmp_path / "out").exists()


def test_no_time_left_for_the_pdf_build(clock, tmp_path, monkeypatch):
    from symdl.render import pdf as pdf_render

    fakekind.install(monkeypatch)
    monkeypatch.setattr(fakekind, "_spin", lambda seconds, swallow: clock.advance(seconds))
    monkeypatch.setattr(pdf_render, "tex_available", lambda: True)
    monkeypatch.setattr(pdf_render, "build", lambda *a, **k: pytest.fail("no TeX run without time left"))
    spec = tmp_path / "exam.toml"
    spec.write_text(fakekind.spec({"a": "1", "b": "2", "spin": 3.9}))   # within its 4 s
    from symdl import outdir

    write_files = outdir.write_files

    def slow_write(*args):                               # writing the .tex files takes the rest
        write_files(*args)
        clock.advance(0.2)

    monkeypatch.setattr(outdir, "write_files", slow_write)
    with pytest.raises(TimeLimitError, match=r"no time left for the PDF build \(time limit 4 s for 1 question\(s\)\)$"):
        derive_module.derive(spec, tmp_path / "out", pdf=True, time_limit_s=4)
    assert not (tmp_path / "out").exists()
