"""Where each edge's labels sit along it: the first place, from the middle outwards, where no other
edge and no node passes through them (the drawing's geometry as the TikZ picture sets it)."""

from __future__ import annotations

import math
import re

X_CM, Y_CM = 2.9, {"full": 2.1, "forward": 1.7, "structure": 1.4}   # the template's column and rows
NODE_CM = 0.45          # an operation's circle radius (minimum size 9 mm)
PT = 0.0353             # cm
POSITIONS = (0.45, 0.35, 0.55, 0.27, 0.63, 0.2, 0.7, 0.14, 0.78)   # along the edge, middle first


def _chars(text):
    return len(re.sub(r"\\[a-z]+|[{}\\ ]", "", text))


def label_size(label):
    """(width, height) in cm of a label at the drawing's \\scriptsize (a digit about 0.12 cm)."""
    if label["kind"] == "rows":
        widths = [max(_chars(r[c]) for r in label["rows"]) for c in range(len(label["rows"][0]))]
        return 0.12 * sum(widths) + 0.25 * len(widths) + 0.1, 0.3 * len(label["rows"]) + 0.1
    text = label.get("text", "") if label["kind"] != "dims" else "00x00"
    return 0.12 * _chars(text) + 0.1, 0.3


def segment_crosses(p, q, box):
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


def in_frame(point, frame):
    """A point in an edge's frame: (along the edge from its start, to its left)."""
    (ox, oy), (ux, uy) = frame
    dx, dy = point[0] - ox, point[1] - oy
    return dx * ux + dy * uy, -dx * uy + dy * ux


def geometry(data):
    """Node centres (cm) and every edge as (edge, start, end, frame, length), border to border."""
    where = {n["id"]: (n["x"] * X_CM, n["y"] * Y_CM[data["mode"]]) for n in data["nodes"]}
    segments = []
    for e in data["edges"]:
        (ax, ay), (bx, by) = where[e["from"]], where[e["to"]]
        length = math.hypot(bx - ax, by - ay) or 1.0
        ux, uy = (bx - ax) / length, (by - ay) / length
        p, q = (ax + ux * NODE_CM, ay + uy * NODE_CM), (bx - ux * NODE_CM, by - uy * NODE_CM)
        segments.append((e, p, q, (p, (ux, uy)), length - 2 * NODE_CM))
    return where, segments


def edge_boxes(data, edge, inner, pos):
    """The boxes (in the edge's frame) of the edge's value and gradient labels at ``pos`` along it."""
    boxes = []
    if data["mode"] == "structure" or edge.get("const"):
        return boxes
    at = pos * inner
    outer = edge["rising"] != edge.get("swap", False)      # the value's side: left of the edge unless outer
    for key, left in (("value", not outer), ("grad", outer)):
        if edge.get(key) is not None and not (key == "grad" and data["mode"] != "full"):
            w, h = label_size(edge[key])
            boxes.append((at - w / 2, PT, at + w / 2, PT + h) if left else (at - w / 2, -PT - h, at + w / 2, -PT))
    return boxes


def _clashes(data, edge, frame, inner, pos, where, segments):
    """How many other edges and nodes pass through the edge's labels at ``pos``."""
    count = 0
    for box in edge_boxes(data, edge, inner, pos):
        count += sum(1 for e, p, q, _, _ in segments
                     if e is not edge and segment_crosses(in_frame(p, frame), in_frame(q, frame), box))
        for cx, cy in where.values():
            x, y = in_frame((cx, cy), frame)
            if box[0] - NODE_CM < x < box[2] + NODE_CM and box[1] - NODE_CM < y < box[3] + NODE_CM:
                count += 1
    return count


def place_labels(data):
    """Set each edge's ``pos`` (the fraction along it where its labels sit) and ``swap`` (value and
    gradient on each other's side): the first of POSITIONS, on the usual sides and then swapped,
    where nothing else passes through them, or the place where the fewest things do."""
    where, segments = geometry(data)
    places = [(pos, swap) for swap in (False, True) for pos in POSITIONS]
    for edge, _, _, frame, inner in segments:
        def clashes(place):
            edge["pos"], edge["swap"] = place
            return _clashes(data, edge, frame, inner, place[0], where, segments), places.index(place)
        edge["pos"], edge["swap"] = min(places, key=clashes)
    return data
