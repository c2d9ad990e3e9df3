"""Part 7 of the benchmark: the graph kind's cost against its node count (sigma stacks, unrolled LSTM and RNN).

Each case is a one-question graph spec written here; the time is the CPU time of
``solve.solve_question`` (read, solve, verify, grade). Targets (issue 24): sigma nested 50 deep
under 2 s; a scalar LSTM over 10 steps, forward and backward through time, under 10 s; a vanilla
RNN over 20 steps with a 4-dimensional state under 10 s; the log-log slope of time against node
count at most 1.1.
"""

from __future__ import annotations

import math
import random
import time
from pathlib import Path

GATES = (("f", r"\sigma"), ("r", r"\sigma"), ("o", r"\sigma"), ("g", r"\tanh"))


def _decimal(rng, scale=1.0):
    return f"{round(rng.gauss(0, scale), 2):.2f}"


def _bmatrix(rows):
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(row) for row in rows) + r" \end{bmatrix}"


def _spec(ident, title, body, values, upstream=None):
    lines = ["[exam]", f'id = "{ident}"', f'title = "{title}"', "", "[[question]]", 'id = "q"',
             'kind = "graph"'] + body
    if upstream:
        lines.append(f"upstream = '{upstream}'")
    lines.append("[question.values]")
    lines += [f"\"{name}\" = '{value}'" for name, value in values.items()]
    return "\n".join(lines) + "\n"


def sigma_spec(depth: int) -> str:
    """sigma(sigma(...sigma(x)...)), ``depth`` sigmoids, as one function."""
    function = "x"
    for _ in range(depth):
        function = r"\sigma(" + function + ")"
    return _spec(f"sigma-{depth}", f"sigma nested {depth} deep", [f"function = '{function}'"], {"x": "0.5"})


def lstm_lines(steps: int) -> list:
    """A scalar LSTM unrolled over ``steps`` steps, one program line per gate and state."""
    lines = []
    for t in range(1, steps + 1):
        for gate, act in GATES:
            lines.append(rf"{gate}_{{{t}}} = {act}(w_{gate} x_{{{t}}} + u_{gate} h_{{{t - 1}}} + b_{gate})")
        lines.append(rf"s_{{{t}}} = f_{{{t}}} s_{{{t - 1}}} + r_{{{t}}} g_{{{t}}}")
        lines.append(rf"h_{{{t}}} = o_{{{t}}} \tanh(s_{{{t}}})")
    return lines


def lstm_spec(steps: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    values = {f"{p}_{gate}": _decimal(rng, 0.5) for gate, _ in GATES for p in "wub"}
    values.update({f"x_{t}": _decimal(rng) for t in range(1, steps + 1)})
    values.update({"h_0": "0.1", "s_0": "-0.2"})
    body = ["program = ["] + [f"  '{line}'," for line in lstm_lines(steps)] + ["]"]
    return _spec(f"lstm-{steps}", f"scalar LSTM over {steps} steps", body, values)


def rnn_spec(steps: int, dim: int = 4, inputs: int = 2, seed: int = 0) -> str:
    """h_t = tanh(W h_{t-1} + U x_t + b), ``dim``-dimensional state, ``steps`` steps."""
    rng = random.Random(seed)
    scale = 1 / math.sqrt(dim)
    values = {"W": _bmatrix([[_decimal(rng, scale) for _ in range(dim)] for _ in range(dim)]),
              "U": _bmatrix([[_decimal(rng, scale) for _ in range(inputs)] for _ in range(dim)]),
              "b": _bmatrix([[_decimal(rng, 0.1)] for _ in range(dim)]),
              "h_0": _bmatrix([[_decimal(rng, 0.5)] for _ in range(dim)])}
    values.update({f"x_{t}": _bmatrix([[_decimal(rng)] for _ in range(inputs)]) for t in range(1, steps + 1)})
    lines = [rf"h_{{{t}}} = \tanh(W h_{{{t - 1}}} + U x_{{{t}}} + b)" for t in range(1, steps + 1)]
    body = ["program = ["] + [f"  '{line}'," for line in lines] + ["]"]
    upstream = _bmatrix([[_decimal(rng)] for _ in range(dim)])
    return _spec(f"rnn-{steps}", f"RNN over {steps} steps", body, values, upstream)


def derive_spec(text: str, work: Path, name: str) -> dict:
    """CPU seconds of solve_question on ``text`` (a fresh parse), its node count and verdict."""
    from symdl.solve import solve_question
    from symdl.kinds.graph.build import build_graph
    from symdl.input.spec import load_exam

    path = work / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    question = load_exam(path).questions[0]
    start = time.process_time()
    result = solve_question(question, time_limit_s=None)
    seconds = time.process_time() - start
    nodes = len(build_graph(load_exam(path).questions[0]).nodes)
    return {"case": name, "nodes": nodes, "cpu_s": seconds, "verified": result.verified}


def slope(rows) -> float:
    """Least-squares slope of log(cpu_s) against log(nodes)."""
    xs = [math.log(r["nodes"]) for r in rows]
    ys = [math.log(r["cpu_s"]) for r in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def part_linear(work: Path, quick: bool = False, progress=print) -> dict:
    """The four targets: sigma 50, LSTM 10 steps, RNN 20 steps (dim 4), and the slope over sigma stacks."""
    def run(text, name):
        row = derive_spec(text, work, name)
        progress(f"  {name}: {row['nodes']} nodes, {row['cpu_s']:.2f} s CPU, verified {row['verified']}")
        return row
    depths = [25, 50, 100] if quick else [13, 25, 50, 100]     # deeper: the parser's recursion (write a program)
    stacks = [run(sigma_spec(d), f"sigma-{d}") for d in depths]
    lstm = run(lstm_spec(10), "lstm-10")
    rnn = run(rnn_spec(20), "rnn-20")
    sigma50 = next(r for r in stacks if r["case"] == "sigma-50")
    return {"sigma": stacks, "lstm": lstm, "rnn": rnn, "slope": slope(stacks),
            "targets": {"sigma-50 < 2 s": sigma50["cpu_s"] < 2, "lstm-10 < 10 s": lstm["cpu_s"] < 10,
                        "rnn-20 < 10 s": rnn["cpu_s"] < 10, "slope <= 1.1": slope(stacks) <= 1.1}}


def table_lines(p: dict) -> list:
    """Part 7's rows of the printed table."""
    out = ["\n(7) cost against node count (CPU time of solve + verify + grade)"]
    for row in p["sigma"] + [p["lstm"], p["rnn"]]:
        out.append(f"    {row['case']}: {row['nodes']} nodes, {row['cpu_s']:.2f} s, verified {row['verified']}")
    out.append(f"    log-log slope over the sigma stacks {p['slope']:.2f}; targets: "
               + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in p["targets"].items()))
    return out
