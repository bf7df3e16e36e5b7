"""/bieudo: progress as a PNG (matplotlib, Agg backend — no display needed).

Two stacked bar charts: by quarter (vertical) and by unit (horizontal, the units with
most tasks first, at most MAX_UNITS), each bar split into the four categories."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402 - after choosing the backend

from bot.services.reports import ProgressReport, cut  # noqa: E402
from storage import report_queries as rq  # noqa: E402

MAX_UNITS = 30
SERIES = (  # category, legend, colour
    (rq.DONE_ON_TIME, "Hoàn thành đúng hạn", "#2e7d32"),
    (rq.DONE_LATE, "Hoàn thành quá hạn", "#9ccc65"),
    (rq.OPEN_ON_TIME, "Đang làm (trong hạn)", "#42a5f5"),
    (rq.OPEN_LATE, "Quá hạn chưa xong", "#e53935"),
)


def progress_chart(rep: ProgressReport, max_units: int = MAX_UNITS) -> bytes:
    units = sorted(rep.by_unit, key=lambda p: (-p.total, p.label))[:max_units]
    units.reverse()  # barh draws bottom-up: the largest unit on top
    quarters = rep.by_quarter
    unit_h = max(2.5, 0.32 * len(units) + 1.2)
    fig = Figure(figsize=(11, 3.8 + unit_h), dpi=100)
    gs = fig.add_gridspec(2, 1, height_ratios=[3.2, unit_h])
    ax_q, ax_u = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])

    xs = list(range(len(quarters)))
    bottom = [0] * len(quarters)
    for cat, label, colour in SERIES:
        vals = [p.counts[cat] for p in quarters]
        ax_q.bar(xs, vals, bottom=bottom, color=colour, label=label, width=0.6)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax_q.set_xticks(xs, [p.label for p in quarters])
    ax_q.set_title("Tiến độ theo quý (số nhiệm vụ chủ trì)")
    ax_q.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)

    ys = list(range(len(units)))
    left = [0] * len(units)
    for cat, label, colour in SERIES:
        vals = [p.counts[cat] for p in units]
        ax_u.barh(ys, vals, left=left, color=colour, label=label, height=0.7)
        left = [a + v for a, v in zip(left, vals)]
    ax_u.set_yticks(ys, [cut(p.label, 40) for p in units], fontsize=8)
    ax_u.set_title("Tiến độ theo đơn vị")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
