"""The MATLAB trainNetwork verbose log reader (the table, possibly interrupted by page headers)."""

from __future__ import annotations

import re

from .cells import Log, LogError, _finish, _row

# MATLAB trainNetwork verbose headers (lower case, parentheses dropped) -> column keys.
MATLAB_HEADERS = {
    "epoch": "epoch", "iteration": "iteration", "time elapsed": "elapsed",
    "mini-batch loss": "train_loss", "validation loss": "val_loss",
    "mini-batch rmse": "train_metric", "validation rmse": "val_metric",
    "mini-batch accuracy": "train_metric", "validation accuracy": "val_metric",
    "base learning rate": "lr", "learning rate": "lr",
}


def _cells(line):
    """The cells of a table line: '|'-framed, tab-separated or whitespace-separated."""
    text = line.rstrip("\r\n")
    if "|" in text:
        parts = text.split("|")
        if parts and not parts[0].strip():
            parts = parts[1:]
        if parts and not parts[-1].strip():
            parts = parts[:-1]
        return [p.strip() for p in parts]
    if "\t" in text:
        return [p.strip() for p in text.split("\t")]
    return text.split()


def _header_key(text):
    name = re.sub(r"\(.*?\)", " ", text.lower())
    name = re.sub(r"\s+", " ", name).strip()
    return MATLAB_HEADERS.get(name)


def read_matlab(text, name):
    """MATLAB trainNetwork verbose output (the table, possibly interrupted by page headers)."""
    lines = text.splitlines()
    header_at = None
    for index, line in enumerate(lines):
        low = line.lower()
        if "epoch" in low and "iteration" in low:
            header_at = index
            break
    if header_at is None:
        raise LogError("no table header (a line naming 'Epoch' and 'Iteration') found")
    names = _cells(lines[header_at])
    # A '|'-framed header is spread over several lines: join them column by column.
    nxt = header_at + 1
    while "|" in lines[header_at] and nxt < len(lines) and "|" in lines[nxt]:
        extra = _cells(lines[nxt])
        if len(extra) != len(names) or (extra and re.fullmatch(r"\d+", extra[0])):
            break
        names = [f"{a} {b}".strip() for a, b in zip(names, extra)]
        nxt += 1
    columns, positions, metric = {}, {}, ""
    for pos, cell in enumerate(names):
        key = _header_key(cell)
        if key and key not in positions:
            positions[key] = pos
            columns[key] = re.sub(r"\s+", " ", cell).strip()
            if key == "train_metric":
                metric = "Accuracy" if "accuracy" in cell.lower() else "RMSE"
    for key in ("epoch", "iteration", "train_loss", "val_loss"):
        if key not in positions:
            raise LogError(f"the table has no '{_matlab_name(key)}' column")
    val_positions = {positions[k] for k in ("val_loss", "val_metric") if k in positions}
    rows, skipped, blank = [], [], 0
    for index, line in enumerate(lines):
        number = index + 1
        if header_at <= index < nxt:
            continue
        if not line.strip():
            blank += 1
            continue
        cells = _cells(line)
        candidate = len(cells) >= 2 and re.fullmatch(r"\d+", cells[0]) and re.fullmatch(r"\d+", cells[1])
        if index < header_at or not candidate:
            skipped.append((number, line.strip()))
            continue
        if len(cells) == len(names) - len(val_positions) and "\t" not in line and "|" not in line:
            full = iter(cells)   # whitespace-separated row without validation cells
            cells = ["" if pos in val_positions else next(full) for pos in range(len(names))]
        if len(cells) != len(names):
            raise LogError(f"line {number}: a table row with {len(cells)} cells; "
                           f"the header has {len(names)}")
        rows.append(_row(number, {k: cells[p] for k, p in positions.items()}, columns))
    return _finish(Log(name, "matlab", rows, skipped, blank, columns, metric))


def _matlab_name(key):
    return {"epoch": "Epoch", "iteration": "Iteration", "train_loss": "Mini-batch Loss",
            "val_loss": "Validation Loss"}[key]
