"""Dashboard figures: containment, fallback and handoff rates, CSAT, volumes, unrecognised clusters."""

import csv
import io
import logging
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from crm_backend.console.resolution import IntentRates, Row, resolution_by_intent
from crm_backend.handoff.models import CsatRating
from crm_backend.transcripts.models import ConversationSummary, TranscriptIndexState
from crm_backend.transcripts.tracker import fallback_texts
from redaction import redact

logger = logging.getLogger(__name__)
TOP_INTENTS = 8
MARKER_DAYS = 14
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
    # channel or segment -> conversations / handoffs / csat_sum / csat_n, for the breakdown table
    breakdown: dict[str, dict[str, Counter]] = field(default_factory=dict)
    # (kind, name) -> day -> handoffs, for the containment trend per channel and segment
    handoffs_by: dict[tuple[str, str], Counter] = field(default_factory=dict)
    resolution: list[IntentRates] = field(default_factory=list)
    resolution_all: IntentRates | None = None

    @property
    def containment_rate(self) -> float | None:
        return 1 - self.handoffs / self.conversations if self.conversations else None

    @property
    def fallback_rate(self) -> float | None:
        return self.fallbacks / self.conversations if self.conversations else None

    @property
    def handoff_rate(self) -> float | None:
        return self.handoffs / self.conversations if self.conversations else None


def _day(ts: float, labels: dict[int, str]) -> str:
    """The UTC day of `ts`, formatted once per day (a profile found half the dashboard's time
    in formatting the same few dates for every conversation)."""
    number = int(ts // 86400)
    label = labels.get(number)
    if label is None:
        label = labels[number] = datetime.fromtimestamp(number * 86400, UTC).strftime("%Y-%m-%d")
    return label


def build_dashboard(*, db_session: Session, since: float, until: float) -> Dashboard:
    """Every figure for conversations that started in [since, until)."""
    board = Dashboard(since=since, until=until)
    s = ConversationSummary
    statement = select(
        s.started_ts, s.channel, s.segment, s.intents, s.had_handoff, s.had_fallback, s.customer_id, s.last_ts, s.csat
    ).where(s.started_ts >= since, s.started_ts < until)
    by_channel: dict[str, Counter] = defaultdict(Counter)
    by_intent: dict[str, Counter] = defaultdict(Counter)
    by_segment: dict[str, Counter] = defaultdict(Counter)
    daily: dict[str, Counter] = defaultdict(Counter)
    breakdown: dict[str, dict[str, Counter]] = {"channel": defaultdict(Counter), "segment": defaultdict(Counter)}
    handoffs_by: dict[tuple[str, str], Counter] = defaultdict(Counter)
    rows: list[Row] = []
    labels: dict[int, str] = {}
    for started, channel, segment, intents, handoff, fallback, customer_id, last, csat in db_session.execute(statement):
        day = _day(started, labels)
        rows.append(Row(customer_id, started, last, (intents or "").split(), bool(handoff), csat, bool(fallback)))
        for kind, name in (("channel", channel or "unknown"), ("segment", segment or "unknown")):
            cell = breakdown[kind][name]
            cell["conversations"] += 1
            cell["handoffs"] += bool(handoff)
            if csat:
                cell["csat_sum"] += csat
                cell["csat_n"] += 1
            handoffs_by[(kind, name)][day] += bool(handoff)
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
    board.breakdown = {kind: dict(cells) for kind, cells in breakdown.items()}
    board.handoffs_by = dict(handoffs_by)
    board.resolution, board.resolution_all = resolution_by_intent(rows, now=datetime.now(UTC).timestamp())
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
    # With few days a line alone is hard to see (one day draws nothing): mark every point.
    positions = list(range(len(days)))
    style = {"marker": "o", "markersize": 4} if len(days) <= MARKER_DAYS else {}
    if name == "rates":
        for key, label in (("handoffs", "handoff rate"), ("fallbacks", "fallback rate")):
            axes.plot(
                positions, [board.daily[d][key] / board.daily[d]["conversations"] for d in days], label=label, **style
            )
        axes.plot(
            positions,
            [1 - board.daily[d]["handoffs"] / board.daily[d]["conversations"] for d in days],
            label="containment",
            **style,
        )
        axes.set_ylim(0, 1)
    elif name in ("containment_channel", "containment_segment"):
        kind = name.split("_")[1]
        series = {"channel": board.by_channel, "segment": board.by_segment}[kind]
        for label, counts in sorted(series.items()):
            handed = board.handoffs_by.get((kind, label), Counter())
            points = [(i, 1 - handed[d] / counts[d]) for i, d in enumerate(days) if counts.get(d)]
            axes.plot([i for i, _ in points], [v for _, v in points], label=label, **style)
        axes.set_ylim(0, 1.05)
        axes.set_ylabel("containment")
    else:
        series = {"channel": board.by_channel, "intent": board.by_intent, "segment": board.by_segment}[name]
        for label, counts in sorted(series.items()):
            axes.plot(positions, [counts.get(d, 0) for d in days], label=label, **style)
        axes.set_ylabel("conversations")
    titles = {
        "rates": "Rates per day",
        "containment_channel": "Containment per day by channel",
        "containment_segment": "Containment per day by segment",
    }
    axes.set_title(titles.get(name, f"Conversations per day by {name}"), fontsize=10)
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


class MetricsCache:
    """Dashboards and their charts, built once per date range while the data stays the same.

    A key is the range plus what changes the figures (the transcript index's watermark and the
    newest rating); entries also expire after `ttl` seconds (handoffs, segments). Charts are
    PNG bytes rendered once per key, so a page's four images cost one scan, not four.
    """

    def __init__(self, ttl: float = 300.0, size: int = 16) -> None:
        self.ttl, self.size = ttl, size
        self._entries: dict[tuple, tuple[float, Dashboard, dict]] = {}  # charts and clusters
        self._lock = threading.Lock()

    def _key(self, db_session: Session, since: float, until: float) -> tuple:
        watermark = db_session.scalar(select(func.max(TranscriptIndexState.last_event_id)))
        rating = db_session.scalar(select(func.max(CsatRating.id)))
        return (since, until, watermark, rating)

    def dashboard(self, *, db_session: Session, since: float, until: float) -> tuple[tuple, Dashboard]:
        key = self._key(db_session, since, until)
        with self._lock:
            entry = self._entries.get(key)
            if entry and time.monotonic() - entry[0] < self.ttl:
                return key, entry[1]
        board = build_dashboard(db_session=db_session, since=since, until=until)
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.pop(min(self._entries, key=lambda k: self._entries[k][0]))
            self._entries[key] = (time.monotonic(), board, {})
        return key, board

    def clusters(self, *, db_session: Session, tracker: Engine, since: float, until: float) -> list[dict]:
        """The unrecognised messages' clusters (seconds of scikit-learn): once per key."""
        key, board = self.dashboard(db_session=db_session, since=since, until=until)
        with self._lock:
            charts = self._entries.get(key, (0, board, {}))[2]
            if "clusters" in charts:
                return charts["clusters"]
        found = unrecognised_clusters(tracker, since=since, until=until)
        with self._lock:
            charts["clusters"] = found
        return found

    def chart(self, *, db_session: Session, since: float, until: float, name: str) -> bytes:
        key, board = self.dashboard(db_session=db_session, since=since, until=until)
        with self._lock:
            charts = self._entries.get(key, (0, board, {}))[2]
            if name in charts:
                return charts[name]
        png = plot_png(board, name)
        with self._lock:
            charts[name] = png
        return png
