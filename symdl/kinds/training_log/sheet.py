"""The training-log question as the exam sheet shows it: the mini-batch size, an excerpt of the log
(its first and last rows, counting the rows left out), and the whole log as a handout: pages of their
own after the questions (a Table with role "handout"). Nothing read out of the log.

A line of a tabular log (tab- or comma-separated) that does not split into cells, such as the
original paper's page headers copied with the log, is not a row: it is neither shown nor counted.
A short log (at most HEAD + TAIL rows) is shown whole in the question and needs no handout."""

from __future__ import annotations

from symdl.solution import Table, Text

from .fields import is_generated, values_of
from .source import log_text

HEAD = 16        # rows shown from the top of the log
TAIL = 8         # and from its end


def given(question) -> list:
    values = values_of(question)
    if is_generated(question) or not question.has("log"):
        text, _ = log_text(question)
    else:
        path = question.data_path("log")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (UnicodeDecodeError, OSError):
            raise question.error("log", f"{path.name}: cannot read the log as UTF-8 text") from None
    lines = [line for line in text.splitlines() if line.strip()]
    items = [Text(f"The mini-batch size is {values['minibatch']} samples.")]
    if not lines:
        return items
    header, body = lines[0], lines[1:]
    split = _splitter(header, values["format"])
    width = len(split(header))
    if width > 1:               # a tabular log: only lines that split into cells are rows
        body = [line for line in body if len(split(line)) > 1]
    rows = [_pad(split(line), width) for line in body]
    if len(rows) <= HEAD + TAIL:
        items.append(Text(f"The log ({len(rows)} rows):"))
        items.append(Table(split(header), rows, role="excerpt"))
        return items
    left_out = len(rows) - HEAD - TAIL
    items.append(Text(f"The log's first {HEAD} and last {TAIL} rows; the whole log ({len(rows)} rows) is handed "
                      "out with the exam, on the pages after the questions:"))
    items.append(Table(split(header), rows[:HEAD] + [[f"... {left_out} rows left out here ..."]] + rows[-TAIL:],
                       role="excerpt"))
    items.append(Table(split(header), rows, role="handout",
                       caption=f"The training log ({len(rows)} rows)"))
    return items


def _splitter(header, fmt):
    if "\t" in header:
        return lambda line: [cell.strip() for cell in line.split("\t")]
    if fmt == "csv":
        return lambda line: [cell.strip() for cell in line.split(",")]
    return lambda line: [line]


def _pad(cells, width):
    return (cells + [""] * width)[:width] if len(cells) <= width else cells[:width - 1] + [" ".join(cells[width - 1:])]
