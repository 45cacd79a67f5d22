"""Charts of ``core.reports.analytics`` figures as PNG bytes (matplotlib, Agg backend).

The object API (a ``Figure`` with its own Agg canvas, no pyplot state, no display), so it is
safe in worker threads; CPU-bound, so async callers run it with ``asyncio.to_thread``.
Every chart has a title, labelled axes and the numbers written on the bars.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from core.reports.analytics import Analytics

BREAKDOWNS = ("category", "urgency", "agent", "variant")
RECEIVED, SENT, OTHER = "#4C78A8", "#54A24B", "#F58518"
URGENCY_COLOURS = {"High": "#E45756", "Medium": "#F58518", "Low": "#4C78A8"}


def _period_label(a: Analytics) -> str:
    if a.since is None:
        return f"all time to {a.until:%Y-%m-%d}"
    return f"{a.since:%Y-%m-%d} to {a.until:%Y-%m-%d} (UTC)"


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=110)
    return out.getvalue()


def _empty(ax: Axes, text: str = "no data in this period") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="grey")
    ax.set_xticks([])
    ax.set_yticks([])


def _hbars(
    ax: Axes,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    colours: Sequence[str] | None = None,
) -> None:
    if not values or not any(values):
        _empty(ax)
        return
    bars = ax.barh(list(labels), list(values), color=list(colours) if colours else RECEIVED)
    ax.invert_yaxis()
    ax.bar_label(bars, padding=3, fontsize=8)
    ax.set_xlim(0, max(values) * 1.2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("tickets")


def _trend(ax: Axes, a: Analytics) -> None:
    points = a.trend
    ax.set_title(f"Tickets received and replies sent per {a.trend_unit}")
    if not points or not any(p.received or p.sent for p in points):
        _empty(ax)
        return
    x = list(range(len(points)))
    ax.bar(
        [i - 0.2 for i in x], [p.received for p in points], 0.4, label="received", color=RECEIVED
    )
    ax.bar([i + 0.2 for i in x], [p.sent for p in points], 0.4, label="replies sent", color=SENT)
    fmt = {"day": "%m-%d", "week": "wk %m-%d", "month": "%Y-%m"}[a.trend_unit]
    step = max(1, len(points) // 12)
    ax.set_xticks(x[::step], [p.start.strftime(fmt) for p in points][::step], rotation=45)
    ax.set_xlabel(f"{a.trend_unit} (start, UTC)")
    ax.set_ylabel("count")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", fontsize=8)


def _breakdown(ax: Axes, a: Analytics, by: str) -> None:
    if by == "category":
        ax.set_title("Tickets by category")
        _hbars(ax, list(a.by_category), list(a.by_category.values()))
    elif by == "urgency":
        ax.set_title("Tickets by urgency")
        names = sorted(
            a.by_urgency,
            key=lambda n: list(URGENCY_COLOURS).index(n) if n in URGENCY_COLOURS else 9,
        )
        _hbars(
            ax,
            names,
            [a.by_urgency[n] for n in names],
            colours=[URGENCY_COLOURS.get(n, "#9D9D9D") for n in names],
        )
    elif by == "agent":
        ax.set_title("Drafts handled per agent")
        agents = a.agents[:15]
        if not agents:
            _empty(ax)
            return
        names = [x.name or x.email for x in agents]
        y = list(range(len(agents)))
        approved = ax.barh(
            [i - 0.2 for i in y], [x.approved for x in agents], 0.4, label="approved", color=SENT
        )
        rejected = ax.barh(
            [i + 0.2 for i in y], [x.rejected for x in agents], 0.4, label="rejected", color=OTHER
        )
        ax.bar_label(approved, padding=3, fontsize=8)
        ax.bar_label(rejected, padding=3, fontsize=8)
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_xlim(0, max(max(x.approved, x.rejected) for x in agents) * 1.15 + 0.5)
        ax.set_xlabel("drafts")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="lower right", fontsize=8)
    elif by == "variant":
        ax.set_title("Decisions per prompt variant")
        variants = [v for v in a.variants if v.decided][:15]
        if not variants:
            _empty(ax)
            return
        labels = [v.name or "(default)" for v in variants]
        _hbars(ax, labels, [round((v.rejected_rate or 0) * 100) for v in variants])
        ax.set_xlabel("rejected, % of the decided drafts")
    else:
        raise ValueError(f"unknown breakdown {by!r}; use one of {', '.join(BREAKDOWNS)}")


def _decisions(ax: Axes, a: Analytics) -> None:
    ax.set_title("AI drafts: decisions and edits")
    values = [a.approved - a.edited, a.edited, a.rejected, a.escalated]
    labels = ["approved as written", "approved after edits", "rejected", "flagged to escalate"]
    _hbars(ax, labels, values, colours=[SENT, "#72B7B2", OTHER, "#E45756"])
    ax.set_xlabel("drafts")


def overview_chart(a: Analytics) -> bytes:
    """Four panels: trend, categories, urgency, and what happened to the AI drafts."""
    fig = Figure(figsize=(12, 7.5))
    fig.suptitle(f"Support desk: {_period_label(a)}", fontsize=13)
    grid = fig.add_gridspec(2, 2, width_ratios=[3, 2])
    _trend(fig.add_subplot(grid[0, 0]), a)
    _breakdown(fig.add_subplot(grid[0, 1]), a, "category")
    _decisions(fig.add_subplot(grid[1, 0]), a)
    _breakdown(fig.add_subplot(grid[1, 1]), a, "urgency")
    fig.tight_layout()
    return _png(fig)


def breakdown_chart(a: Analytics, by: str) -> bytes:
    """Volume by category or urgency, or decisions per agent."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}; use one of {', '.join(BREAKDOWNS)}")
    fig = Figure(figsize=(8, 4.5))
    ax = fig.add_subplot()
    _breakdown(ax, a, by)
    ax.set_title(f"{ax.get_title()}, {_period_label(a)}")
    fig.tight_layout()
    return _png(fig)


def trend_chart(a: Analytics) -> bytes:
    fig = Figure(figsize=(10, 4))
    ax = fig.add_subplot()
    _trend(ax, a)
    ax.set_title(f"{ax.get_title()}, {_period_label(a)}")
    fig.tight_layout()
    return _png(fig)


def chart_for(a: Analytics, *, by: str | None = None, trend: bool = False) -> bytes:
    """The chart ``/desk stats`` and ``desk stats --chart`` post: a breakdown when ``by``
    is given, the trend when asked, else the overview."""
    if by:
        return breakdown_chart(a, by)
    if trend:
        return trend_chart(a)
    return overview_chart(a)
