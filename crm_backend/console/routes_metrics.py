"""The metrics dashboard, its charts and its CSV export."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from crm_backend.audit.service import AuditAction, audit
from crm_backend.console.auth import ConsoleAgent
from crm_backend.console.charts import svg_chart
from crm_backend.console.deps import TrackerDep
from crm_backend.console.metrics import MetricsCache, build_dashboard, dashboard_csv
from crm_backend.console.render import render
from crm_backend.core.deps import SessionDep, SettingsDep, from_state
from crm_backend.core.errors import NotFound
from crm_backend.handoff import service as handoffs
from crm_backend.transcripts.review import refresh_index

router = APIRouter()
PLOTS = ("rates", "containment_channel", "containment_segment", "channel", "intent", "segment")
CacheDep = Annotated[MetricsCache, Depends(from_state("metrics_cache"))]
DEFAULT_DAYS = 30
DayQuery = Annotated[str, Query(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$")]


def _range(date_from: str, date_to: str) -> tuple[float, float, str, str]:
    today = datetime.now(UTC).date()
    end = datetime.strptime(date_to, "%Y-%m-%d").date() if date_to else today
    start = datetime.strptime(date_from, "%Y-%m-%d").date() if date_from else end - timedelta(days=DEFAULT_DAYS)
    since = datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp()
    until = datetime(end.year, end.month, end.day, tzinfo=UTC).timestamp() + 86400
    return since, until, start.isoformat(), end.isoformat()


@router.get("/metrics")
def metrics_page(
    request: Request,
    agent: ConsoleAgent,
    db_session: SessionDep,
    settings: SettingsDep,
    tracker: TrackerDep,
    cache: CacheDep,
    date_from: DayQuery = "",
    date_to: DayQuery = "",
):
    refresh_index(db_session=db_session, tracker=tracker, secret=settings.customer_token_secret.get_secret_value())
    since, until, start, end = _range(date_from, date_to)
    _key, board = cache.dashboard(db_session=db_session, since=since, until=until)
    audit(db_session, agent, AuditAction.READ, "metrics")
    return render(
        request,
        "metrics.html",
        {
            "board": board,
            "date_from": start,
            "date_to": end,
            "charts": [svg_chart(board, name) for name in PLOTS] if board.days else [],
            "plots": PLOTS if board.days else (),
            "queue": handoffs.queue_stats(db_session=db_session),
            "load": handoffs.agent_load(db_session=db_session),
        },
    )


@router.get("/metrics/clusters")
def metrics_clusters(
    request: Request,
    agent: ConsoleAgent,
    db_session: SessionDep,
    tracker: TrackerDep,
    cache: CacheDep,
    date_from: DayQuery = "",
    date_to: DayQuery = "",
):
    """The unrecognised messages, grouped: fetched by the page after it is shown (they take
    seconds to cluster the first time), then cached with the dashboard."""
    since, until, _, _ = _range(date_from, date_to)
    clusters = cache.clusters(db_session=db_session, tracker=tracker, since=since, until=until)
    return render(request, "_clusters.html", {"clusters": clusters})


@router.get("/metrics/plot/{name}.png")
def metrics_plot(
    name: str,
    agent: ConsoleAgent,
    db_session: SessionDep,
    cache: CacheDep,
    date_from: DayQuery = "",
    date_to: DayQuery = "",
):
    """A chart, rendered once per range and data (the cache); the browser may keep it a minute."""
    if name not in PLOTS:
        raise NotFound("No such chart.")
    since, until, _, _ = _range(date_from, date_to)
    png = cache.chart(db_session=db_session, since=since, until=until, name=name)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})


@router.get("/metrics.csv")
def metrics_csv(agent: ConsoleAgent, db_session: SessionDep, date_from: DayQuery = "", date_to: DayQuery = ""):
    since, until, start, end = _range(date_from, date_to)
    board = build_dashboard(db_session=db_session, since=since, until=until)
    audit(db_session, agent, AuditAction.EXPORT, "metrics")
    return Response(
        dashboard_csv(board),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="concierge-metrics-{start}-{end}.csv"'},
    )
