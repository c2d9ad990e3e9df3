"""The HTML key draws its figures as inline SVG (render/svg.py): every figure of DI504 (the graph, the
ReLU plot, the softmax bars, the loss curves, the gap) is an <svg> that parses as XML, holds the data
it shows (checked against answers.json and the log file), and draws ink in its box in a real browser."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from symdl.derive import derive
from symdl.solve import solve_exam
from symdl.render import svg
from symdl.solution import Figure, Section
from symdl.input.spec import default_spec
from support import NO_BROWSER, find_browser

BROWSER = find_browser()
NS = "{http://www.w3.org/2000/svg}"


def _figures(items):
    for item in items:
        if isinstance(item, Section):
            yield from _figures(item.items)
        elif isinstance(item, Figure):
            yield item


@pytest.fixture(scope="module")
def di504(tmp_path_factory):
    """(every figure of the DI504 key with its kind, answers.json's values, the HTML page of the full derivation)."""
    from support import answer_values

    out = tmp_path_factory.mktemp("html")
    report = derive(None, out, pdf=False, html=True, detail="full")
    page = (report.folder / "answer-key.html").read_text()
    answers = {q["id"]: answer_values(q) for q in json.loads((report.folder / "answers.json").read_text())["questions"]}
    figures = [(r.question.kind, f) for r in report.results for s in r.solution.sections for f in _figures(s.items)]
    return figures, answers, page


def test_every_figure_of_the_page_is_an_svg(di504):
    figures, _, page = di504
    from symdl.solution import shown

    names = {f.name for _, f in figures}
    assert names == {"graph", "activation", "bars", "curves", "gap"}
    on_page = [f for _, f in figures if shown(f, "full")]        # the gap plot is the instructor's
    assert {f.name for f in on_page} >= {"graph", "activation", "bars", "curves"}
    assert page.count("<svg") == len(on_page) == page.count('class="figure"')
    assert "drawn in the PDF answer key" not in page and "<script" not in page.lower()
    for kind, figure in figures:
        ET.fromstring(str(svg.draw(figure, kind)))         # well-formed XML


def test_the_bars_are_the_probabilities(di504):
    """Bar heights over the plot's baseline are proportional to the softmax probabilities of answers.json."""
    figures, answers, _ = di504
    bars = next(f for _, f in figures if f.name == "bars")
    root = ET.fromstring(str(svg.draw(bars, "softmax")))
    rects = [r for r in root.iter(f"{NS}rect") if r.get("fill") in ("#1f5fa8", "#9bb7d4")]
    heights = [float(r.get("height")) for r in rects]
    probs = [p for case in "abcd" for p in answers["Q3"][f"{case}.probs"]]
    assert len(heights) == len(probs) == 16
    scale = max(heights) / max(probs)
    assert all(abs(h - p * scale) <= 0.11 for h, p in zip(heights, probs))          # 0.1 px rounding
    predicted = [r.get("fill") == "#1f5fa8" for r in rects]
    assert predicted == [k == 3 for _ in "abcd" for k in range(4)]                 # class 4 in every case


def test_the_loss_curve_has_every_logged_iteration(di504):
    figures, _, _ = di504
    log = (default_spec().parent / "q5-training-log.txt").read_text().splitlines()
    rows = [cells for cells in (line.split("\t") for line in log) if len(cells) == 8 and cells[0].isdigit()]
    loss = next(f for _, f in figures if f.name == "curves" and f.data["ylabel"] == "loss")
    root = ET.fromstring(str(svg.draw(loss, "training_log")))
    batch = next(p for p in root.iter(f"{NS}polyline") if p.get("stroke") == "#9bb7d4")
    points = [tuple(map(float, xy.split(","))) for xy in batch.get("points").split()]
    assert len(points) == len(rows)
    xs = [x for x, _ in points]
    assert xs == sorted(xs)
    # the highest mini-batch loss of the log is the highest point (smallest y on screen)
    top = min(range(len(points)), key=lambda i: points[i][1])
    assert float(rows[top][5]) == max(float(r[5]) for r in rows)


def test_the_graph_shows_the_forward_values_of_the_key(di504):
    figures, answers, _ = di504
    drawn = [f for q, f in figures if f.name == "graph" and any(e.get("grad") for e in f.data["edges"])]
    text = " ".join(t.text or "" for t in ET.fromstring(str(svg.draw(drawn[-1], "graph"))).iter(f"{NS}text"))
    z1 = answers["Q1"]["forward.z1"]                    # W x = [0.02, 0.07] in the DI504 key
    assert f"[{z1[0]:g}]" in text and f"[{z1[1]:g}]" in text
    assert "exp" in text and "max" in text and "·" in text
    # as the PDF: W's value and gradient beside it, the output arrow to f with f's value and the upstream
    w_bar = answers["Q1"]["grad.W"]
    assert "[-0.1  -0.5]" in text and f"{w_bar[0][0]:.5g}" in text and "f" in text.split()
    structure = next(f for q, f in figures if f.name == "graph" and f.data.get("mode") == "structure")
    bare = " ".join(t.text or "" for t in ET.fromstring(str(svg.draw(structure, "graph"))).iter(f"{NS}text"))
    assert "[" + f"{z1[0]:g}" + "]" not in bare and "-0.1" not in bare      # the structure alone
    names = ET.fromstring(str(svg.draw(structure, "graph")))
    assert "z_1" not in ET.tostring(names, encoding="unicode")          # z with a subscript 1, not "z_1"


def test_an_unknown_figure_is_a_contract_error_and_bad_data_draws_nothing():
    from symdl.errors import ContractError

    with pytest.raises(ContractError, match="'neuron' has no painters for its figure 'no-such-figure'"):
        svg.draw(Figure("no-such-figure", {}), "neuron")
    assert svg.draw(Figure("activation", {"xmin": "-1", "xmax": "1", "f": "__import__('os')", "df": []}), "neuron") == ""


@pytest.mark.skipif(BROWSER is None, reason=NO_BROWSER)
def test_chromium_draws_every_figure(di504, tmp_path):
    """One screenshot of every figure stacked at known offsets: each box holds ink, the gaps do not."""
    pytest.importorskip("PIL")
    import numpy as np
    from PIL import Image

    figures, _, _ = di504
    drawings = [str(svg.draw(f, kind)) for kind, f in figures]
    boxes, top, body = [], 0, []
    for drawing in drawings:
        root = ET.fromstring(drawing)
        w, h = int(float(root.get("width"))), int(float(root.get("height")))
        body.append(f'<div style="position:absolute;left:0;top:{top}px">{drawing}</div>')
        boxes.append((top, w, h))
        top += h + 40                                   # a blank gap of 40 px below each
    page = tmp_path / "figures.html"
    page.write_text('<!DOCTYPE html><html><body style="margin:0;background:#fff">' + "".join(body) + "</body></html>")
    shot = tmp_path / "shot.png"
    width = max(w for _, w, _ in boxes)
    subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--hide-scrollbars", f"--user-data-dir={tempfile.mkdtemp(dir=tmp_path)}",
                    f"--window-size={width},{top}", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    ink = (pixels < 200).any(axis=2)
    for (y, w, h), (_, figure) in zip(boxes, figures):
        box = ink[y:y + h, :w]
        assert box.mean() > 0.01, f"{figure.name}: only {box.mean():.4f} of its box is inked"
        assert not ink[y + h + 5:y + h + 35].any(), f"ink below {figure.name}'s box"
        blue = (np.abs(pixels[y:y + h, :w] - [0x1f, 0x5f, 0xa8]).sum(axis=2) < 60).sum()
        if figure.name == "graph" and figure.data.get("mode") == "structure":
            assert blue == 0, "the graph's structure alone, as the PDF draws it, has no values"
        else:
            assert blue > 30, f"{figure.name}: no line or bar drawn in blue"
        if figure.name == "graph" and figure.data.get("mode") == "full":     # gradients in red, as the PDF
            red = (np.abs(pixels[y:y + h, :w] - [0xb8, 0x32, 0x1f]).sum(axis=2) < 60).sum()
            assert red > 30, "the backward pass draws no gradient"


def test_the_network_is_drawn_as_the_pdf_draws_it(tmp_path):
    """A branching network (the residual block and fire module of docs/kinds/architecture.md): one
    box per layer with its name and output shape, one arrow per input (merges have two), so the
    HTML page draws every figure the PDF draws."""
    import re

    from support import TESTS
    from symdl.solve import solve_exam

    doc = (TESTS.parent / "docs" / "kinds" / "architecture.md").read_text()
    block = next(b for b in re.findall(r"```toml\n(.*?)```", doc, re.S) if 'inputs = ["bn2"' in b)
    (tmp_path / "net.toml").write_text(block)
    report = solve_exam(tmp_path / "net.toml")
    fig = next(i for s in report.results[0].solution.sections for i in s.items if getattr(i, "name", "") == "network")
    from symdl.render import svg

    drawn = str(svg.draw(fig, "architecture"))
    assert drawn.startswith("<svg") and "Dims(" not in drawn
    nodes, edges = fig.data["nodes"], fig.data["edges"]
    assert drawn.count("<rect") == len(nodes) and drawn.count("<polyline") == len(edges)
    assert sum(1 for e in edges if nodes[e["target"]]["name"] == "add") == 2
    for n in nodes:
        assert f">{n['name']} (" in drawn
    assert "64 × 56 × 56" in drawn and "128 × 1 × 1" in drawn       # the input, and the adaptive pool's 1 x 1
