"""The analytics job on Dask (``ANALYTICS_BACKEND=dask``): CRM orders read and scored per customer-id range.

Each partition is one SQL query for a range of customer ids, run on a worker, so the
transactions are never one DataFrame. Results come back partition by partition and are
written in batches: a partition's customers lose their old ``customer_scores`` and
``recommendations`` rows and get the new ones, then the batch commits and the run record
(``runs/<run id>.json`` in the model registry) notes it. Rerunning a killed run with the
same run id gives the same rows without duplicates, and skips the partitions already written.
"""

from __future__ import annotations

import logging
import math
import os
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from analytics.distributed import DaskSettings, dask_client, run_partitioned
from analytics.partitioned import id_ranges
from analytics.persistence import ModelRegistry
from crm_backend.catalogue.models import Product
from crm_backend.insights.models import CustomerScore, Recommendation
from crm_backend.orders.models import Order, OrderItem

logger = logging.getLogger(__name__)

ITEMS_PER_PARTITION = 1_000_000
COLUMNS = ["customer_id", "order_id", "product_id", "category", "description", "quantity", "unit_price", "order_date"]


@lru_cache(maxsize=4)
def _worker_sessions(database_url: str):
    from crm_backend.core.db import make_engine, make_session_factory

    return make_session_factory(make_engine(database_url))


def read_customer_range(customer_range: tuple[int, int], database_url: str) -> pd.DataFrame:
    """One partition: every order item of the customers in ``[start, end)`` (runs on a worker)."""
    from crm_backend.insights.jobs import load_transactions

    with _worker_sessions(database_url)() as db_session:
        return load_transactions(db_session, customer_range=tuple(customer_range))[COLUMNS]


def plan_ranges(db_session: Session) -> list[tuple[int, int]]:
    """Customer-id ranges of about ``ANALYTICS_PARTITION_ITEMS`` order items each (at least 2)."""
    low, high = db_session.execute(select(func.min(Order.customer_id), func.max(Order.customer_id))).one()
    if low is None:
        raise ValueError("the CRM has no customer orders to learn from")
    items = db_session.scalar(select(func.count()).select_from(OrderItem)) or 0
    per_partition = int(os.environ.get("ANALYTICS_PARTITION_ITEMS", ITEMS_PER_PARTITION))
    return id_ranges(int(low), int(high), max(2, math.ceil(items / per_partition)))


def run_distributed_job(
    db_session: Session,
    *,
    as_of: datetime,
    version: str,
    cutoff: pd.Timestamp,
    registry_dir: Path | None,
    recommender: str,
    k: int,
    settings: DaskSettings,
    show_progress: bool = True,
):
    """Score and recommend on Dask, writing each partition's rows as it finishes; commits per batch."""
    import dask.dataframe as dd

    from crm_backend.insights.jobs import JobResult, _plain, recommendation_rows, score_rows

    registry = ModelRegistry(registry_dir) if registry_dir is not None else None
    record = (registry.run_record(version) if registry else None) or {}
    ranges = [tuple(r) for r in record.get("ranges") or plan_ranges(db_session)]
    written: set[int] = set(record.get("written_partitions", []))
    record.update(run_id=version, as_of=as_of, backend="dask", ranges=ranges, status="running", stages={})
    database_url = db_session.get_bind().url.render_as_string(hide_password=False)
    meta = pd.DataFrame({c: pd.Series(dtype="float64" if c in ("quantity", "unit_price") else object) for c in COLUMNS})
    meta["order_date"] = pd.Series(dtype="datetime64[ns]")
    transactions = dd.from_map(
        read_customer_range, ranges, database_url=database_url, meta=meta, enforce_metadata=False
    )
    in_stock = list(db_session.scalars(select(Product.sku).where(Product.in_stock.is_(True))))
    product_ids = dict(db_session.execute(select(Product.sku, Product.id)).all())
    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        record["stages"][stage] = {"done": done, "total": total}
        bar = bars.get(stage) or bars.setdefault(stage, tqdm(total=total, desc=stage, disable=not show_progress))
        bar.n = done
        bar.refresh()
        if registry:
            registry.save_run(version, record)

    scored = recommended = 0
    with dask_client(settings) as client:
        record["dashboard"] = getattr(client, "dashboard_link", None) if settings.scheduler_address else None
        run = run_partitioned(
            client,
            transactions,
            as_of=cutoff,
            k=k,
            model=recommender,
            available_products=in_stock,
            fit_sample=settings.fit_sample,
            skip=written,
            progress=progress,
        )
        for index, result in run.partitions:
            start, end = ranges[index]
            in_range = (CustomerScore.customer_id >= start, CustomerScore.customer_id < end)
            db_session.execute(delete(CustomerScore).where(*in_range))
            db_session.execute(
                delete(Recommendation).where(Recommendation.customer_id >= start, Recommendation.customer_id < end)
            )
            scores = score_rows(result["scores"], result["reasons"], result["category_need"], version, as_of)
            recs = [] if result["recommendations"] is None else recommendation_rows(
                result["recommendations"], product_ids, version
            )  # fmt: skip
            if scores:
                db_session.execute(insert(CustomerScore), scores)
            if recs:
                db_session.execute(insert(Recommendation), recs)
            db_session.commit()
            scored, recommended = scored + len(scores), recommended + len(recs)
            written.add(index)
            record["written_partitions"] = sorted(written)
            if registry:
                registry.save_run(version, record)
    for bar in bars.values():
        bar.close()
    # Customers no longer scored (no orders left in any range) lose the previous run's rows.
    db_session.execute(delete(CustomerScore).where(CustomerScore.model_version != version))
    db_session.execute(delete(Recommendation).where(Recommendation.model_version != version))
    scored = db_session.scalar(select(func.count()).select_from(CustomerScore))
    recommended = db_session.scalar(select(func.count()).select_from(Recommendation))
    metrics = _plain(run.metrics)
    if registry:
        for name, model in run.models.items():
            registry.save(name, model, metrics=metrics, data_range=metrics.get("data_range"), extra={"job": version})
        record["status"] = "done"
        registry.save_run(version, record)
    logger.info("analytics job %s on dask: %d customers scored, %d recommendations", version, scored, recommended)
    return JobResult(version, scored, recommended, metrics)
