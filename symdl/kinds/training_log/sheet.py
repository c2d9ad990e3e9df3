"""The training-log question as the exam sheet shows it: the mini-batch size and a verbatim excerpt of
the log (its first and last lines, saying how many were left out). Nothing read out of the log.

A generated log (``[question.generate]``) is handed out nowhere else, so the sheet prints it whole
(the generator keeps it within ``generate.MAX_LINES`` lines)."""

from __future__ import annotations

from symdl.solution import Table, Text

from .fields import values_of
from .source import is_generated, log_text

HEAD = 16        # data lines shown from the top of the log
TAIL = 8         # and from its end


def given(question) -> list:
    values = values_of(question)
    whole = is_generated(question)
    if whole or not question.has("log"):
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
    shown = body if whole or len(body) <= HEAD + TAIL else body[:HEAD] + [None] + body[-TAIL:]
    left_out = len(body) - (len(shown) - shown.count(None))
    width = len(split(header))
    rows = [[f"... {left_out} lines of the log left out here ..."] if line is None
            else _pad(split(line), width) for line in shown]
    items.append(Text(f"The log's first {HEAD} and last {TAIL} lines (the whole log is handed out with the exam):"
                      if left_out else f"The log ({len(lines)} lines):" if whole else "The log:"))
    items.append(Table(split(header), rows, role="excerpt"))
    return items


def _splitter(header, fmt):
    if "\t" in header:
        return lambda line: [cell.strip() for cell in line.split("\t")]
    if fmt == "csv":
        return lambda line: [cell.strip() for cell in line.split(",")]
    return lambda line: [line]


def _pad(cells, width):
    return (cells + [""] * width)[:width] if len(cells) <= width else cells[:width - 1] + [" ".join(cells[width - 1:])]
