"""The training log on the exam sheet: a verbatim excerpt of the log file (its first and last lines, cell
by cell as the file holds them) and how many lines were left out; a short log is shown whole."""

from pathlib import Path

from support import di504_question, one_question, sheet_of
from symdl.solution import Table, Text

LOG = Path(__file__).resolve().parents[3] / "symdl" / "data" / "di504" / "q5-training-log.txt"


def test_di504_q5_excerpt_is_the_file():
    items = sheet_of(di504_question("Q5"))
    t = next(i for i in items if isinstance(i, Table))
    lines = [line for line in LOG.read_text().splitlines() if line.strip()]
    assert t.header == lines[0].split("\t")
    assert t.rows[:16] == [line.split("\t") for line in lines[1:17]]
    assert t.rows[-8:] == [line.split("\t") for line in lines[-8:]]
    # the rows left out are counted as rows: the file also holds the original paper's page headers
    # (6 lines that split into no cells), which are no rows: 101 rows, 77 left out (was "83 lines")
    rows = [line for line in lines[1:] if line.split("\t")[0].strip().isdigit()]
    assert len(rows) == 101 and len(lines) - 1 == 107
    assert t.rows[16] == [f"... {len(rows) - 24} rows left out here ..."]
    handout = next(i for i in items if isinstance(i, Table) and i.role == "handout")
    assert handout.rows == [line.split("\t") for line in rows]
    assert any("mini-batch size is 32" in p for i in items if isinstance(i, Text) for p in i.parts)


def test_a_short_csv_log_is_shown_whole(tmp_path):
    (tmp_path / "log.csv").write_text("epoch,loss,val_loss\n0,2.5,2.6\n1,2.0,2.2\n2,1.5,1.9\n")
    q = one_question(tmp_path, "training_log", 'log = "log.csv"\nformat = "csv"\nframework = "keras"\n'
                                               'minibatch = 8\niterations_per_epoch = 10\n'
                                               'columns = { epoch = "epoch", train_loss = "loss", val_loss = "val_loss" }\n')
    t = next(i for i in sheet_of(q) if isinstance(i, Table))
    assert t.header == ["epoch", "loss", "val_loss"] and t.rows == [["0", "2.5", "2.6"], ["1", "2.0", "2.2"],
                                                                    ["2", "1.5", "1.9"]]
