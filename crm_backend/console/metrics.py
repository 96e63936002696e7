"""Dashboard figures: containment, fallback and handoff rates, CSAT, volumes, unrecognised clusters."""

import csv
import io
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from crm_backend.handoff.models import CsatRating
from crm_backend.transcripts.models import ConversationSummary
from crm_backend.transcripts.tracker import fallback_texts
from redaction import redact

logger = logging.getLogger(__name__)
TOP_INTENTS = 8
MAX_CLUSTER_TEXTS = 2000


@dataclass
class Dashboard:
    since: float
    until: float
    conversations: int = 0
    handoffs: int = 0
    fallbacks: int = 0
    csat: dict[str, tuple[float, int]] = field(default_factory=dict)  # target -> (mean, count)
    days: list[str] = field(default_factory=list)
    by_channel: dict[str, Counter] = field(default_factory=dict)  # channel -> day -> count
    by_intent: dict[str, Counter] = field(default_factory=dict)
    by_segment: dict[str, Counter] = field(default_factory=dict)
    daily: dict[str, Counter] = field(default_factory=dict)  # day -> conversations/handoffs/fallbacks

    @property
    def containment_rate(self) -> float | None:
        return 1 - self.handoffs / self.conversations if self.conversations else None

    @property
    def fallback_rate(self) -> float | None:
        return self.fallbacks / self.conversations if self.conversations else None

    @property
    def handoff_rate(self) -> float | None:
        return self.handoffs / self.conversations if self.conversations else None


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def build_dashboard(*, db_session: Session, since: float, until: float) -> Dashboard:
    """Every figure for conversations that started in [since, until)."""
    board = Dashboard(since=since, until=until)
    s = ConversationSummary
    statement = select(s.started_ts, s.channel, s.segment, s.intents, s.had_handoff, s.had_fallback).where(
        s.started_ts >= since, s.started_ts < until
    )
    by_channel: dict[str, Counter] = defaultdict(Counter)
    by_intent: dict[str, Counter] = defaultdict(Counter)
    by_segment: dict[str, Counter] = defaultdict(Counter)
    daily: dict[str, Counter] = defaultdict(Counter)
    for started, channel, segment, intents, handoff, fallback in db_session.execute(statement):
        day = _day(started)
        board.conversations += 1
        board.handoffs += bool(handoff)
        board.fallbacks += bool(fallback)
        daily[day]["conversations"] += 1
        daily[day]["handoffs"] += bool(handoff)
        daily[day]["fallbacks"] += bool(fallback)
        by_channel[channel or "unknown"][day] += 1
        by_segment[segment or "unknown"][day] += 1
        for intent in (intents or "").split():
            by_intent[intent][day] += 1
    top = sorted(by_intent, key=lambda name: -sum(by_intent[name].values()))[:TOP_INTENTS]
    board.by_intent = {name: by_intent[name] for name in top}
    board.by_channel, board.by_segment, board.daily = dict(by_channel), dict(by_segment), dict(daily)
    board.days = sorted(daily)
    start, end = datetime.fromtimestamp(since, UTC), datetime.fromtimestamp(until, UTC)
    ratings = select(CsatRating.target, func.avg(CsatRating.score), func.count()).where(
        CsatRating.created_at >= start, CsatRating.created_at < end
    )
    board.csat = {
        target: (float(mean), count) for target, mean, count in db_session.execute(ratings.group_by(CsatRating.target))
    }
    return board


def unrecognised_clusters(tracker: Engine, *, since: float, until: float) -> list[dict]:
    """Groups of messages NLU could not classify (redacted), biggest first."""
    texts = [redact(text) for text in fallback_texts(tracker, since=since, until=until, limit=MAX_CLUSTER_TEXTS)]
    if len(texts) < 6:
        return [{"size": 1, "terms": "", "examples": [text]} for text in texts]
    from analytics.text.clusters import group_unrecognised

    try:
        _messages, clusters = group_unrecognised(texts, k_range=(2, min(8, len(texts) // 3)))
    except ValueError:  # e.g. every message empty after tokenising
        logger.warning("Could not cluster %s unrecognised messages", len(texts))
        return [{"size": len(texts), "terms": "", "examples": texts[:3]}]
    return [
        {"size": int(row["size"]), "terms": row["terms"], "examples": list(row["examples"])[:3]}
        for _, row in clusters.iterrows()
    ]


def plot_png(board: Dashboard, name: str) -> bytes:
    """One of the dashboard's charts as a PNG (matplotlib's Agg backend, no display)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 2.8), dpi=96)
    axes = figure.subplots()
    days = board.days
    if name == "rates":
        for key, label in (("handoffs", "handoff rate"), ("fallbacks", "fallback rate")):
            axes.plot(days, [board.daily[d][key] / board.daily[d]["conversations"] for d in days], label=label)
        axes.plot(
            days,
            [1 - board.daily[d]["handoffs"] / board.daily[d]["conversations"] for d in days],
            label="containment",
        )
        axes.set_ylim(0, 1)
    else:
        series = {"channel": board.by_channel, "intent": board.by_intent, "segment": board.by_segment}[name]
        for label, counts in sorted(series.items()):
            axes.plot(days, [counts.get(d, 0) for d in days], label=label)
        axes.set_ylabel("conversations")
    axes.set_title({"rates": "Rates per day"}.get(name, f"Conversations per day by {name}"), fontsize=10)
    if days:
        axes.legend(fontsize=7, loc="upper left", ncols=2)
    step = max(1, len(days) // 8)
    axes.set_xticks(range(0, len(days), step), [days[i][5:] for i in range(0, len(days), step)], fontsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def dashboard_csv(board: Dashboard) -> str:
    """Per day: volume, rates and counts per channel."""
    channels = sorted(board.by_channel)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "day",
            "conversations",
            "containment_rate",
            "fallback_rate",
            "handoff_rate",
            *[f"channel_{c}" for c in channels],
        ]
    )
    for day in board.days:
        counts = board.daily[day]
        total = counts["conversations"]
        writer.writerow(
            [
                day,
                total,
                f"{1 - counts['handoffs'] / total:.4f}",
                f"{counts['fallbacks'] / total:.4f}",
                f"{counts['handoffs'] / total:.4f}",
                *[board.by_channel[c].get(day, 0) for c in channels],
            ]
        )
    for target, (mean, count) in sorted(board.csat.items()):
        writer.writerow([f"csat_{target}", count, f"{mean:.3f}"])
    return out.getvalue()
