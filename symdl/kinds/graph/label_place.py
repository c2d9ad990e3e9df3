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


def _trimmed(a, b, start, end):
    length = math.hypot(b[0] - a[0], b[1] - a[1]) or 1.0
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    return (a[0] + ux * start, a[1] + uy * start), (b[0] - ux * end, b[1] - uy * end), (ux, uy), length - start - end


def geometry(data):
    """Node centres (cm) and every piece of every edge as (edge, start, end, frame, length, labelled),
    border to border; an edge routed round the nodes between its ends has three pieces, its labels
    on the middle one."""
    rows = Y_CM[data["mode"]]
    where = {n["id"]: (n["x"] * X_CM, n["y"] * rows) for n in data["nodes"]}
    segments = []
    for e in data["edges"]:
        points = [where[e["from"]]] + [(x * X_CM, y * rows) for x, y in e.get("via", [])] + [where[e["to"]]]
        middle = (len(points) - 2) // 2
        for k in range(len(points) - 1):
            p, q, u, inner = _trimmed(points[k], points[k + 1], NODE_CM if k == 0 else 0,
                                      NODE_CM if k == len(points) - 2 else 0)
            segments.append((e, p, q, (p, u), inner, k == middle))
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


def _on_page(box, frame):
    """An axis-aligned box (x0, y0, x1, y1) around a box of an edge's frame, on the page."""
    (ox, oy), (ux, uy) = frame
    ca, cb = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    cx, cy = ox + ca * ux - cb * uy, oy + ca * uy + cb * ux
    w, h = box[2] - box[0], box[3] - box[1]
    half_w, half_h = (abs(ux) * w + abs(uy) * h) / 2, (abs(uy) * w + abs(ux) * h) / 2
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _input_boxes(data, where):
    """The boxes of the values and gradients written beside the inputs (west of them)."""
    out = []
    for n in data["nodes"]:
        cx, cy = where[n["id"]]
        for key, up in (("value", True), ("grad", False)):
            if n.get(key) is not None:
                w, h = label_size(n[key])
                out.append((cx - 0.4 - 3 * PT - w, cy + PT if up else cy - PT - h, cx - 0.4 - 3 * PT,
                            cy + PT + h if up else cy - PT))
    return out


def _clashes(data, edge, frame, inner, pos, where, segments, taken):
    """How many other edges, nodes and labels already placed pass through the edge's labels at ``pos``."""
    count = 0
    for box in edge_boxes(data, edge, inner, pos):
        count += sum(1 for other in taken if _overlap(_on_page(box, frame), other))
        count += sum(1 for e, p, q, _, _, _ in segments
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
    taken = _input_boxes(data, where)
    places = [(pos, swap) for swap in (False, True) for pos in POSITIONS]
    for edge, _, _, frame, inner, labelled in segments:
        if not labelled:
            continue

        def clashes(place):
            edge["pos"], edge["swap"] = place
            return _clashes(data, edge, frame, inner, place[0], where, segments, taken), places.index(place)
        edge["pos"], edge["swap"] = min(places, key=clashes)
        taken += [_on_page(box, frame) for box in edge_boxes(data, edge, inner, edge["pos"])]
    return data


CONST_SPOTS = [(dx, dy) for dy in (-0.9, 0.9, -0.6, 0.6, -1.3, 1.3) for dx in (-0.5, -0.85, -0.3, -1.2)]
CONST_CM = (0.4, 0.25)  # half the width and height of a constant's box


def _const_free(data, node):
    """Whether a constant's box lies off every edge and node, and its own edge passes no node."""
    where, segments = geometry(data)
    cx, cy = where[node["id"]]
    hw, hh = CONST_CM
    box = (cx - hw, cy - hh, cx + hw, cy + hh)
    for e, p, q, _, _, _ in segments:
        mine = node["id"] in (e["from"], e["to"])
        if not mine and segment_crosses(p, q, box):
            return False
        if mine:
            for other, (x, y) in where.items():
                if other not in (e["from"], e["to"]) and segment_crosses(
                        p, q, (x - NODE_CM, y - NODE_CM, x + NODE_CM, y + NODE_CM)):
                    return False
    return all(abs(x - cx) > hw + NODE_CM or abs(y - cy) > hh + NODE_CM
               for other, (x, y) in where.items() if other != node["id"])


def place_constants(data):
    """Move each constant, if it lies on an edge or a node, to the first free spot beside its user
    (below-left first, as placed, then above, closer, further)."""
    for node in (n for n in data["nodes"] if n.get("style") == "const"):
        users = [e["to"] for e in data["edges"] if e["from"] == node["id"]]
        if not users or _const_free(data, node):
            continue
        user = next(n for n in data["nodes"] if n["id"] == users[0])
        first = node["x"], node["y"]
        for dx, dy in CONST_SPOTS:
            node["x"], node["y"] = user["x"] + dx, user["y"] + dy * 2.1 / Y_CM[data["mode"]]
            if _const_free(data, node):
                break
        else:
            node["x"], node["y"] = first
    return data


LANE = 0.75     # rows between a routed edge's lane and the nearest node it passes
LANE_STEP = 0.45


def route_edges(data):
    """An edge skipping columns whose straight line would pass through a node runs instead above
    (or below, whichever is nearer) the nodes between its ends, in a lane of its own."""
    at = {n["id"]: n for n in data["nodes"]}
    lanes = {}
    for e in data["edges"]:
        a, b = at[e["from"]], at[e["to"]]
        between = [n for n in data["nodes"] if n.get("style") != "const"
                   and min(a["x"], b["x"]) + 0.3 < n["x"] < max(a["x"], b["x"]) - 0.3]
        if not between or e.get("const") or not _passes_a_node(a, b, between):
            continue
        top = max(n["y"] for n in between) + LANE
        bottom = min(n["y"] for n in between) - LANE
        above = abs(top - (a["y"] + b["y"]) / 2) <= abs(bottom - (a["y"] + b["y"]) / 2)
        k = lanes[above] = lanes.get(above, -1) + 1
        y = top + k * LANE_STEP if above else bottom - k * LANE_STEP
        x0, x1 = min(n["x"] for n in between) - 0.5, max(n["x"] for n in between) + 0.5
        e["via"] = [[x0, y], [x1, y]]
        e["rising"] = False
    return data


def _passes_a_node(a, b, between):
    p, q = (a["x"] * X_CM, a["y"]), (b["x"] * X_CM, b["y"])
    return any(segment_crosses(p, q, (n["x"] * X_CM - 0.6, n["y"] - 0.45, n["x"] * X_CM + 0.6, n["y"] + 0.45))
               for n in between)


MARGIN = 0.8           # cm left free beside an edge's labels, both ends together


def _radius(node):
    """An operation's circle grows round a long mark (softmax): about 0.1 cm a letter."""
    label = node.get("label") or {}
    text = label.get("plain") or "" if isinstance(label, dict) else ""
    return max(NODE_CM, 0.1 * len(text) + 0.1) if node.get("style") == "op" else NODE_CM


def space_columns(data):
    """Columns spaced by the widest label between them: an edge joining neighbouring columns gets
    room for its labels beside both nodes, an input room for the labels written west of it."""
    if data["mode"] == "structure":
        return data
    at = {n["id"]: n for n in data["nodes"]}
    gap = {}            # column -> columns to the next one
    for e in data["edges"]:
        a, b = at[e["from"]], at[e["to"]]
        shown = [e[k] for k in ("value", "grad") if e.get(k) is not None and (k == "value" or data["mode"] == "full")]
        if e.get("const") or not shown or abs(b["x"] - a["x"] - 1) > 0.01:
            continue
        need = (max(label_size(v)[0] for v in shown) + _radius(a) + _radius(b) + MARGIN) / X_CM
        gap[a["x"]] = max(gap.get(a["x"], 1.0), need)
    columns = {n["x"] for n in data["nodes"] if n.get("style") != "const"}
    for n in data["nodes"]:
        shown = [n[k] for k in ("value", "grad") if n.get(k) is not None]
        if shown and n["x"] - 1 in columns:
            need = (max(label_size(v)[0] for v in shown) + 0.4 + NODE_CM + MARGIN) / X_CM
            gap[n["x"] - 1] = max(gap.get(n["x"] - 1, 1.0), need)
    if not gap:
        return data
    base = math.floor(min(columns))     # columns may sit at half steps (1.5): count whole columns from here

    def moved(x):
        whole = math.floor(x)
        start = sum(gap.get(c, 1.0) for c in range(base, whole)) + base
        return start + (x - whole) * gap.get(whole, 1.0)

    for n in data["nodes"]:
        n["x"] = round(moved(n["x"]), 3)
    return data
