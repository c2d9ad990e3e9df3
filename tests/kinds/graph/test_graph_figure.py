"""The graph drawing's layout: no edge crosses a label, numbers follow the one rounding rule.

Label sizes are estimated from their characters at the drawing's \\scriptsize (a digit is
about 0.12 cm wide, a matrix row about 0.3 cm high); the positions are the template's (x 2.9 cm
per column, rows 2.1 / 1.7 / 1.4 cm apart, edge labels at 45 % of the edge, sloped, beside it).
"""

import math
import re

import pytest

from support import documented_example, solution_of
from symdl.solution import Figure
from symdl.input.spec import default_spec, load_exam

X_CM, Y_CM = 2.9, {"full": 2.1, "forward": 1.7, "structure": 1.4}
NODE_CM = 0.45          # an operation's circle radius (minimum size 9 mm); an input's box is smaller
PT = 0.0353             # cm


def _chars(text):
    return len(re.sub(r"\\[a-z]+|[{}\\ ]", "", text))


def _size(label):
    """(width, height) in cm of a label."""
    if label["kind"] == "rows":
        widths = [max(_chars(r[c]) for r in label["rows"]) for c in range(len(label["rows"][0]))]
        return 0.12 * sum(widths) + 0.25 * len(widths) + 0.1, 0.3 * len(label["rows"]) + 0.1
    text = label.get("text", "") if label["kind"] != "dims" else "00x00"
    return 0.12 * _chars(text) + 0.1, 0.3


def _cross(p, q, box):
    """Whether the segment p-q passes through the axis-aligned box (x0, y0, x1, y1) (Liang-Barsky)."""
    (x0, y0, x1, y1), t0, t1 = box, 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for d, lo, hi, s in ((dx, x0, x1, p[0]), (dy, y0, y1, p[1])):
        if d == 0:
            if not lo < s < hi:
                return False
            continue
        a, b = sorted(((lo - s) / d, (hi - s) / d))
        t0, t1 = max(t0, a), min(t1, b)
        if t0 >= t1:
            return False
    return True


def _layout(data):
    """Every edge as a segment (cm, border to border) and every label as (box in its edge's frame, frame)."""
    where = {n["id"]: (n["x"] * X_CM, n["y"] * Y_CM[data["mode"]]) for n in data["nodes"]}
    segments, labels = [], []
    for e in data["edges"]:
        # an edge routed round the nodes (``via``: two corners) is three pieces, labelled on the middle one
        corners = [where[e["from"]]] + [(x * X_CM, y * Y_CM[data["mode"]]) for x, y in e.get("via", [])] + \
            [where[e["to"]]]
        for k, ((ax, ay), (bx, by)) in enumerate(zip(corners, corners[1:])):
            length = math.hypot(bx - ax, by - ay)
            ux, uy = (bx - ax) / length, (by - ay) / length
            start, end = NODE_CM if k == 0 else 0, NODE_CM if k == len(corners) - 2 else 0
            p, q = (ax + ux * start, ay + uy * start), (bx - ux * end, by - uy * end)
            segments.append((e, p, q))
            if k == (len(corners) - 2) // 2:
                at, frame = e.get("pos", 0.45) * (length - start - end), (p, (ux, uy))
        outer = e["rising"] != e.get("swap", False)      # value and gradient swapped where the layout says
        for key, left in (("value", not outer), ("grad", outer)):
            if data["mode"] == "structure" or e.get("const"):
                break
            if e.get(key) is not None and not (key == "grad" and data["mode"] != "full"):
                w, h = _size(e[key])
                v0, v1 = (PT, PT + h) if left else (-PT - h, -PT)
                labels.append((e, (at - w / 2, v0, at + w / 2, v1), frame))
    for n in data["nodes"]:
        cx, cy = where[n["id"]]
        west = cx - 0.4
        for key, up in (("value", True), ("grad", False)):
            if n.get(key) is not None:
                w, h = _size(n[key])
                y0, y1 = (cy + PT, cy + PT + h) if up else (cy - PT - h, cy - PT)
                labels.append((None, (west - 3 * PT - w, y0, west - 3 * PT, y1), ((0, 0), (1, 0))))
    return segments, labels


def _in_frame(point, frame):
    (ox, oy), (ux, uy) = frame
    dx, dy = point[0] - ox, point[1] - oy
    return dx * ux + dy * uy, -dx * uy + dy * ux


def crossings(data):
    segments, labels = _layout(data)
    out = []
    for own, box, frame in labels:
        for e, p, q in segments:
            if e is not own and _cross(_in_frame(p, frame), _in_frame(q, frame), box):
                out.append((own and (own["from"], own["to"]), (e["from"], e["to"])))
    return out


def figures(sol):
    return [i for sec in sol.sections for i in sec.items if isinstance(i, Figure)]


def test_no_edge_crosses_a_label_di504():
    sol = solution_of(load_exam(default_spec()).questions[0])
    for fig in figures(sol):
        assert crossings(fig.data) == [], fig.data["mode"]


def test_no_edge_crosses_a_label_docs_example(tmp_path):
    sol = solution_of(load_exam(documented_example("graph", tmp_path)).questions[0])
    for fig in figures(sol):
        assert crossings(fig.data) == [], fig.data["mode"]


_KNOWN_CROSSINGS = {"graph.md#5"}   # routing and placement not yet enough there:
# #5: the batch of masked attention (its 2 x 4 scores on short edges, X feeding six nodes)


def _docs_graph_questions():
    from support import DOCS

    out = []
    for doc in sorted(DOCS.glob("*.md")):
        for i, block in enumerate(re.findall(r"```toml\n(.*?)```", doc.read_text(), re.S)):
            if 'kind = "graph"' in block:
                name = f"{doc.name}#{i + 1}"
                marks = [pytest.mark.xfail(strict=True, reason="known layout defect: in the forward/full drawing "
                                           "an edge crosses a value label (#5: X feeds six nodes whose "
                                           "edges fan through each other's labels)")] if name in _KNOWN_CROSSINGS else []
                out.append(pytest.param(block, id=name, marks=marks))
    return out


@pytest.mark.parametrize("block", _docs_graph_questions())
def test_no_edge_crosses_a_label_in_any_docs_example(tmp_path, block):
    spec = tmp_path / "example.toml"
    spec.write_text(block)
    for question in load_exam(spec).questions:
        if question.kind == "graph":
            for fig in figures(solution_of(question)):
                assert crossings(fig.data) == [], (question.id, fig.data["mode"])


def test_the_check_finds_a_crossing():
    # an edge drawn straight through another edge's label is found
    data = {"mode": "full", "nodes": [{"id": i, "x": x, "y": y} for i, x, y in
                                      (("a", 0, 0), ("b", 2, 0), ("c", 0.9, 1), ("d", 0.9, -1))],
            "edges": [{"from": "a", "to": "b", "rising": False, "value": {"kind": "number", "text": "1.2345"},
                       "grad": None},
                      {"from": "d", "to": "c", "rising": True, "value": None, "grad": None}]}
    assert crossings(data) == [(("a", "b"), ("d", "c"))]


def test_edge_labels_use_the_one_rounding_rule():
    sol = solution_of(load_exam(default_spec()).questions[0])
    full = figures(sol)[-1].data
    texts = [x for e in full["edges"] if e["value"] for row in e["value"].get("rows", []) for x in row]
    assert "1.0202" in texts and "2.9154" in texts          # e^{0.02}, e^{1.07} to 5 significant digits
    assert "0.02" in texts and "1.07" in texts              # exact decimals as they are
    w = next(n for n in full["nodes"] if n["name"] == "W")
    assert w["grad"]["rows"] == [["0.30606", "-0.10202"], ["0.87461", "-0.29154"]]
