"""The CSV log reader (Keras CSVLogger, Lightning CSVLogger, ...) through the spec's column mapping."""

from __future__ import annotations

from .cells import Log, LogError, _finish, _row, csv_rows, mapped_positions


def read_csv(text, name, mapping, epoch_origin, step_origin):
    """A CSV log (Keras CSVLogger, Lightning CSVLogger, ...) through the spec's column mapping."""
    lines = text.splitlines()
    header, rows, skipped, blank = None, [], [], 0
    positions = {}
    for number, cells in csv_rows(lines):
        index = number - 1
        if not any(c.strip() for c in cells):
            blank += 1
            continue
        cells = [c.strip() for c in cells]
        if header is None:
            header = cells
            positions = mapped_positions(header, mapping, number)
            continue
        if cells == header:
            skipped.append((number, lines[index].strip()))
            continue
        if len(cells) != len(header):
            raise LogError(f"line {number}: {len(cells)} cells; the header has {len(header)}")
        raw = {k: cells[p] for k, p in positions.items()}
        if not raw["epoch"]:
            skipped.append((number, lines[index].strip()))
            continue
        rows.append(_row(number, raw, mapping, epoch_origin, step_origin))
    if header is None:
        raise LogError("the file is empty (no CSV header)")
    # loggers may write rows out of order (Lightning's epoch-level rows): order by epoch, iteration
    rows.sort(key=lambda r: (r.epoch, r.iteration if r.iteration is not None else 0))
    return _finish(Log(name, "csv", rows, skipped, blank, dict(mapping),
                       mapping.get("train_metric", "")))
