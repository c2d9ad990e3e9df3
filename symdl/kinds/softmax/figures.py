"""The softmax kind's summary: every case's rounded probabilities side by side, and the bar charts' data
(one chart per case on one vertical scale; the template lays them out)."""

from __future__ import annotations

import math

from symdl.notation.display import num
from symdl.kinds.softmax.notation import SoftmaxFormula as F
from symdl.solution import Figure, Table, only


def summary(sol, p, rows):
    """``rows``: per case its id, rounded probabilities, predicted class (from 1), label, whether regularized."""
    sec = sol.section("All cases side by side")
    top = max(max(c["probs"]) for c in rows)
    ymax = min(1.0, math.ceil(top * 10 - 1e-9) / 10) if top > 0 else 1.0
    ymax = max(ymax, 0.1)
    if p.N <= 8:
        header = ["case"] + [F("p_col", k + 1) for k in range(p.N)] + ["predicted"]
        body = [[c["id"]] + [F("fixed4", f"{v:.4f}") for v in c["probs"]] + [p.classes[c["predicted"] - 1]]
                for c in rows]
        align = "l" + "r" * p.N + "c"
    else:       # many classes: one row per class, one column per case
        header = ["class"] + [f"case {c['id']}" for c in rows]
        body = [[p.classes[k]] + [F("starred" if c["predicted"] == k + 1 else "fixed4", f"{c['probs'][k]:.4f}")
                                  for c in rows] for k in range(p.N)]
        align = "l" + "r" * len(rows)
    sec.add(*only("full", Table(header=header, rows=body, align=align, small=p.N > 6 or len(rows) > 6,
                  caption="Probabilities rounded to four decimals." + ("" if p.N <= 8 else
                                                                      " The predicted class is starred."))))
    sec.add(Figure("bars", bars(p, rows, ymax), caption="Class probability distributions, every case on the same "
                                                        f"vertical scale (0 to {num(ymax)}); the predicted class "
                                                        "is the dark bar."))


def bars(p, rows, ymax) -> dict:
    """The bar charts as data: the shared scale, the class names, and per case its bars; a case
    is marked "no reg." only where the others have the regularization term and it does not."""
    regularized = any(c["regularization"] for c in rows)
    return {
        "ymax": num(ymax),
        "classes": list(p.classes),
        "xticks": ",".join(str(k + 1) for k in range(p.N)),
        "xmax": num(p.N + 0.6),
        "cases": [{"id": c["id"], "bars": [{"k": k + 1, "p": num(v), "pred": k + 1 == c["predicted"]}
                                           for k, v in enumerate(c["probs"])],
                   "label": c["label"] + 1 if c["label"] is not None else None,
                   "note": " (no reg.)" if regularized and not c["regularization"] else ""} for c in rows],
    }
