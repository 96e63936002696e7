"""The analytics job: CRM data in, scores, segments and recommendations out.

    python -m crm_backend insights run [--as-of YYYY-MM-DD] [--recommender ease]

It reads the CRM's orders, runs the `analytics` library, writes `customer_scores` and
`recommendations` (with the model version) and saves the models with their metadata to a
registry folder. The bot then reads those rows; it never trains anything itself.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from analytics.distributed import DaskSettings, analytics_backend
from analytics.jobs import recommend_products, score_customers
from analytics.persistence import ModelRegistry
from crm_backend.catalogue.models import Category, Product
from crm_backend.insights.models import CustomerScore, Recommendation
from crm_backend.orders.models import Order, OrderItem, OrderStatus

logger = logging.getLogger(__name__)

RECOMMENDATIONS_PER_CUSTOMER = 5
WRITE_BATCH = 5000


@dataclass(frozen=True)
class JobResult:
    model_version: str
    customers_scored: int
    recommendations: int
    metrics: dict


def load_transactions(db_session: Session, *, customer_range: tuple[int, int] | None = None) -> pd.DataFrame:
    """Every item of every non-cancelled customer order, in the analytics library's layout;
    only customers with ``start <= id < end`` when ``customer_range`` is given."""
    statement = (
        select(
            Order.customer_id,
            Order.id.label("order_id"),
            Product.sku.label("product_id"),
            Category.name.label("category"),
            Product.name.label("description"),
            OrderItem.quantity,
            OrderItem.unit_price,
            Order.placed_at.label("order_date"),
        )
        .join(OrderItem, OrderItem.order_id == Order.id)
        .join(Product, Product.id == OrderItem.product_id)
        .outerjoin(Category, Category.id == Product.category_id)
        .where(Order.customer_id.is_not(None), Order.status != OrderStatus.CANCELLED)
    )
    if customer_range is not None:
        statement = statement.where(Order.customer_id >= customer_range[0], Order.customer_id < customer_range[1])
    frame = pd.DataFrame(db_session.execute(statement).all(), columns=list(statement.selected_columns.keys()))
    frame["unit_price"] = frame["unit_price"].astype(float)
    frame["order_date"] = pd.to_datetime(frame["order_date"], utc=True).dt.tz_localize(None)
    frame["customer_id"] = frame["customer_id"].astype(str)
    return frame


def run_analytics_job(
    db_session: Session,
    *,
    as_of: datetime | None = None,
    registry_dir: Path | None = None,
    recommender: str = "ease",
    show_progress: bool = True,
    backend: str | None = None,
    dask_settings: DaskSettings | None = None,
    run_id: str | None = None,
) -> JobResult:
    """Score every customer and refresh their recommendations.

    ``backend`` (default: ``ANALYTICS_BACKEND``, else pandas) chooses where: the pandas
    backend works in this process and leaves the commit to the caller; the Dask backend
    (:mod:`crm_backend.insights.distributed_job`) reads and writes per customer-id range and
    commits each batch, so a killed run restarted with the same ``run_id`` resumes.
    """
    run_id = run_id or f"analytics-{(as_of or datetime.now(UTC)):%Y%m%dT%H%M%S}"
    if registry_dir is not None and as_of is None:
        previous = ModelRegistry(registry_dir).run_record(run_id)
        as_of = datetime.fromisoformat(previous["as_of"]) if previous else None
    as_of = as_of or datetime.now(UTC)
    version = run_id
    if (backend or analytics_backend()) == "dask":
        from crm_backend.insights.distributed_job import run_distributed_job

        return run_distributed_job(
            db_session,
            as_of=as_of,
            version=version,
            cutoff=_naive(as_of),
            registry_dir=registry_dir,
            recommender=recommender,
            k=RECOMMENDATIONS_PER_CUSTOMER,
            settings=dask_settings or DaskSettings.from_env(),
            show_progress=show_progress,
        )
    steps = tqdm(total=5, desc="analytics", unit="step", disable=not show_progress)

    steps.set_postfix_str("loading transactions")
    transactions = load_transactions(db_session)
    if transactions.empty:
        raise ValueError("the CRM has no customer orders to learn from")
    steps.update()

    steps.set_postfix_str("scoring customers")
    insights = score_customers(transactions, as_of=_naive(as_of), evaluate=False)
    steps.update()

    steps.set_postfix_str("recommending")
    in_stock = list(db_session.scalars(select(Product.sku).where(Product.in_stock.is_(True))))
    suggestions = recommend_products(
        transactions, k=RECOMMENDATIONS_PER_CUSTOMER, model=recommender, available_products=in_stock
    )
    steps.update()

    steps.set_postfix_str("writing results")
    scored = _write_scores(db_session, insights, version, as_of)
    written = _write_recommendations(db_session, suggestions, version)
    steps.update()

    if registry_dir is not None:
        registry = ModelRegistry(registry_dir)
        data_range = insights.metrics.get("data_range")
        for name, model in insights.models.items():
            registry.save(name, model, metrics=_plain(insights.metrics), data_range=data_range, extra={"job": version})
    steps.update()
    steps.close()
    logger.info("analytics job %s: %d customers scored, %d recommendations", version, scored, written)
    return JobResult(version, scored, written, _plain(insights.metrics))


def _write_scores(db_session: Session, insights, version: str, as_of: datetime) -> int:
    rows = score_rows(insights.scores, insights.reasons, insights.category_need, version, as_of)
    db_session.execute(delete(CustomerScore))
    for start in range(0, len(rows), WRITE_BATCH):
        db_session.execute(insert(CustomerScore), rows[start : start + WRITE_BATCH])
    return len(rows)


def score_rows(scores: pd.DataFrame, reason_frame: pd.DataFrame, category_need, version: str, as_of) -> list[dict]:
    """``customer_scores`` rows from the scores, reasons and category need of some customers."""
    reasons: dict[str, dict[str, list[str]]] = {}
    for row in reason_frame.sort_values(["customer_id", "model", "rank"]).itertuples(index=False):
        reasons.setdefault(str(row.customer_id), {}).setdefault(str(row.model), []).append(str(row.text))
    needs: dict[str, dict[str, float]] = {}
    if category_need is not None:
        for row in category_need.itertuples(index=False):
            needs.setdefault(str(row.customer_id), {})[str(row.category)] = round(float(row.probability), 4)
    rows = [
        {
            "customer_id": int(row.customer_id),
            "model_version": version,
            "scored_at": as_of,
            "segment": row.segment,
            "churn_probability": _number(row.churn_probability),
            "expected_value": _number(row.clv),
            "next_purchase_days": None,
            "top_factors": reasons.get(str(row.customer_id)),
            "category_needs": needs.get(str(row.customer_id)),
        }
        for row in scores.itertuples(index=False)
    ]
    return rows


def _write_recommendations(db_session: Session, suggestions: pd.DataFrame, version: str) -> int:
    product_ids = dict(db_session.execute(select(Product.sku, Product.id)).all())
    rows = recommendation_rows(suggestions, product_ids, version)
    db_session.execute(delete(Recommendation))
    for start in range(0, len(rows), WRITE_BATCH):
        db_session.execute(insert(Recommendation), rows[start : start + WRITE_BATCH])
    return len(rows)


def recommendation_rows(suggestions: pd.DataFrame, product_ids: dict[str, int], version: str) -> list[dict]:
    """``recommendations`` rows (products the CRM no longer knows are left out)."""
    return [
        {
            "customer_id": int(row.customer_id),
            "product_id": product_ids[str(row.product_id)],
            "rank": int(row.rank),
            "score": float(row.score),
            "reason": str(row.reason),
            "model_version": version,
        }
        for row in suggestions.itertuples(index=False)
        if str(row.product_id) in product_ids
    ]


def _naive(moment: datetime) -> pd.Timestamp:
    """The cut-off as the naive UTC timestamp the transactions carry."""
    stamp = pd.Timestamp(moment)
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _plain(value):
    """Metrics as JSON-friendly values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value
