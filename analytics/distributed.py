"""The analytics job on Dask (``ANALYTICS_BACKEND=dask``): the same steps, partition by partition.

Transactions arrive as a Dask DataFrame whose partitions each hold *all* rows of a range
of customers (customers partitioned by id range: a Parquet folder per range, or one SQL
query per range). The job then runs in three stages on a ``dask.distributed`` cluster:

1. per partition (in parallel): :func:`analytics.steps.customer_tables` and the
   recommender's :func:`~analytics.recommend.base.interaction_stats`; the item×item
   co-occurrence counts are summed in a tree reduction (a distributed sparse aggregation);
2. once: the models are fitted on a sample of customers (every customer below
   ``fit_sample``; then the result equals the pandas backend's), EASE on the summed counts
   below :data:`EASE_MAX_ITEMS` items, item-kNN co-occurrence above;
3. per partition: the fitted models (sent to each worker once) score the partition's
   customers and recommend for them; results stream back to the caller, which writes them.

No cluster code of our own: an empty ``DASK_SCHEDULER_ADDRESS`` starts an in-process
``LocalCluster``; an address connects to a running ``dask scheduler``.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dask
import pandas as pd

from analytics.features import validate_transactions
from analytics.recommend.base import interaction_stats, merge_stats
from analytics.steps import apply_models, combine_tables, customer_tables, fit_models, history, sample_tables

logger = logging.getLogger(__name__)

#: Above this many items EASE's dense inversion is too costly: switch to item-kNN co-occurrence.
EASE_MAX_ITEMS = 20_000

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DaskSettings:
    """Where and how the Dask backend runs; read from the environment by :meth:`from_env`."""

    scheduler_address: str = ""
    n_workers: int = 2
    threads_per_worker: int = 1
    worker_memory: str = "4GiB"
    processes: bool = True
    fit_sample: int = 200_000

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> DaskSettings:
        env = os.environ if environ is None else environ
        return cls(
            scheduler_address=env.get("DASK_SCHEDULER_ADDRESS", ""),
            n_workers=int(env.get("DASK_WORKERS", "2")),
            threads_per_worker=int(env.get("DASK_THREADS_PER_WORKER", "1")),
            worker_memory=env.get("DASK_WORKER_MEMORY", "4GiB"),
            processes=env.get("DASK_PROCESSES", "1") not in ("0", "false", "no"),
            fit_sample=int(env.get("ANALYTICS_FIT_SAMPLE", "200000")),
        )


def analytics_backend(environ: dict[str, str] | None = None) -> str:
    """``pandas`` (default) or ``dask``, from ``ANALYTICS_BACKEND``."""
    backend = (os.environ if environ is None else environ).get("ANALYTICS_BACKEND", "pandas").strip().lower()
    if backend not in ("pandas", "dask"):
        raise ValueError(f"ANALYTICS_BACKEND must be 'pandas' or 'dask', not {backend!r}")
    return backend


@contextmanager
def dask_client(settings: DaskSettings) -> Iterator[Any]:
    """A ``distributed.Client`` on the configured scheduler, or on a local cluster it closes after."""
    from distributed import Client, LocalCluster

    if settings.scheduler_address:
        with Client(settings.scheduler_address) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=settings.n_workers,
            threads_per_worker=settings.threads_per_worker,
            memory_limit=settings.worker_memory,
            processes=settings.processes,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def read_parquet_partitions(folders: list[str], columns: list[str] | None = None):
    """A Dask DataFrame with one partition per folder (each folder: every row of a customer-id range)."""
    import dask.dataframe as dd

    first = pd.read_parquet(folders[0], columns=columns).iloc[:0]
    return dd.from_map(_read_folder, folders, columns=columns, meta=first, enforce_metadata=False)


def _read_folder(folder: str, columns: list[str] | None = None) -> pd.DataFrame:
    return pd.read_parquet(folder, columns=columns)


def partition_work(
    tx: pd.DataFrame, *, as_of: pd.Timestamp, horizon_days: int, half_life_days: float, recommend_as_of
) -> tuple[dict, dict, dict | None]:
    """Stage 1 on one partition: (customer tables, its customer×item rows, item statistics)."""
    clean = validate_transactions(tx)
    del tx
    tables = customer_tables(history(clean, as_of), as_of=as_of, horizon_days=horizon_days)
    if recommend_as_of is not None:
        clean = clean[clean["order_date"] < recommend_as_of]
    if clean.empty:
        return tables, {}, None
    stats = interaction_stats(clean, half_life_days=half_life_days, gram=True)
    rows = {key: stats.pop(key) for key in ("customers", "user_items")}
    rows["items"] = stats["items"]
    return tables, rows, stats


def _merge_all(*parts: dict | None) -> dict | None:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    merged = parts[0]
    for part in parts[1:]:
        merged = merge_stats(merged, part)
    return merged


def _training_sample(tables: dict, limit: int, random_state: int) -> dict:
    return sample_tables(tables, limit, random_state)


def _fit_all(samples: list[dict], random_state: int, churn_params: dict | None) -> tuple[dict, dict, dict]:
    combined = combine_tables(samples)
    models, metrics = fit_models(combined, random_state=random_state, churn_params=churn_params)
    seg = models.get("segmentation")
    profile = seg.profile(combined["features"]) if seg is not None else pd.DataFrame()
    return models, metrics, {"profile": profile, "dates": combined["dates"]}


def _fit_recommender(stats: dict | None, model: str):
    from analytics.jobs import make_recommender

    if stats is None:
        return None
    if model == "ease" and len(stats["items"]) > EASE_MAX_ITEMS:
        logger.info("%d items > %d: item-kNN co-occurrence instead of EASE", len(stats["items"]), EASE_MAX_ITEMS)
        model = "itemknn"
    return make_recommender(model).fit_from_stats(stats)


def _apply_partition(models, recommender, tables, rows, *, horizon_days, top_n, k, available_products):
    scores, reasons, need = apply_models(models, tables, horizon_days=horizon_days, top_n=top_n)
    recs = None
    if recommender is not None and rows:
        view = recommender.for_partition(rows)
        recs = view.recommend(list(view.customers_), k=k, available_products=available_products)
    return {"scores": scores, "reasons": reasons, "category_need": need, "recommendations": recs}


@dataclass
class DistributedRun:
    """What :func:`run_partitioned` learnt once; ``partitions`` yields each partition's rows."""

    models: dict[str, Any]
    metrics: dict[str, Any]
    segment_profile: pd.DataFrame
    recommender: Any
    partitions: Iterator[tuple[int, dict[str, pd.DataFrame]]] = field(repr=False)


def run_partitioned(
    client,
    transactions,
    *,
    as_of: pd.Timestamp,
    horizon_days: int = 90,
    top_n: int = 3,
    k: int = 10,
    model: str = "ease",
    available_products: list | None = None,
    recommend_as_of: pd.Timestamp | None = None,
    random_state: int = 0,
    churn_params: dict | None = None,
    fit_sample: int = 200_000,
    skip: set[int] = frozenset(),
    progress: Progress | None = None,
) -> DistributedRun:
    """Run the job on ``transactions`` (a Dask DataFrame partitioned by customer range).

    Stages 1 and 2 run before this returns; stage 3 runs as ``partitions`` is iterated,
    yielding ``(partition number, {scores, reasons, category_need, recommendations})`` as
    partitions finish. Partitions in ``skip`` (already written by an earlier attempt of the
    same run) are not scored again.
    """
    from distributed import as_completed

    report = progress or (lambda stage, done, total: None)
    delayed_parts = transactions.to_delayed()
    n = len(delayed_parts)
    work = [
        dask.delayed(partition_work, nout=3)(
            part,
            as_of=as_of,
            horizon_days=horizon_days,
            half_life_days=30.0,
            recommend_as_of=recommend_as_of,
        )
        for part in delayed_parts
    ]
    per_part = math.ceil(fit_sample / n)
    samples = [dask.delayed(_training_sample)(w[0], per_part, random_state + i) for i, w in enumerate(work)]
    level = [w[2] for w in work]
    while len(level) > 1:  # tree reduction of the item statistics, pairs at a time
        level = [dask.delayed(_merge_all)(*level[i : i + 2]) for i in range(0, len(level), 2)]
    tables = client.compute([w[0] for w in work])
    rows = client.compute([w[1] for w in work])
    sample_futures = client.compute(samples)
    merged = client.compute(level[0])
    _wait(sample_futures, "read + features", report)
    _wait([merged], "co-occurrence", report)

    fitted = client.submit(_fit_all, sample_futures, random_state, churn_params, pure=False)
    recommender_f = client.submit(_fit_recommender, merged, model, pure=False)
    _wait([fitted, recommender_f], "fit models", report)
    models, metrics, extra = fitted.result()
    del sample_futures, merged
    sizes = client.gather(client.map(lambda t: len(t["features"]), tables))
    metrics = {
        "customers": int(sum(sizes)),
        "skipped": metrics.pop("skipped"),
        "data_range": [str(extra["dates"][0]), str(extra["dates"][1])],
        "partitions": n,
        "fit_sample": fit_sample,
        **metrics,
    }
    [models_f] = client.scatter([models], broadcast=True)

    def results() -> Iterator[tuple[int, dict[str, pd.DataFrame]]]:
        todo = {}
        for i in range(n):
            if i in skip:
                continue
            future = client.submit(
                _apply_partition,
                models_f,
                recommender_f,
                tables[i],
                rows[i],
                horizon_days=horizon_days,
                top_n=top_n,
                k=k,
                available_products=available_products,
                pure=False,
            )
            todo[future] = i
        tables.clear()
        rows.clear()
        total = len(todo)
        for done, future in enumerate(as_completed(list(todo)), start=1):
            report("score + recommend", done, total)
            yield todo.pop(future), future.result()
            future.release()

    return DistributedRun(models, metrics, extra["profile"], recommender_f.result(), results())


def _wait(futures: list, stage: str, report: Progress) -> None:
    from distributed import as_completed

    report(stage, 0, len(futures))
    for done, future in enumerate(as_completed(futures), start=1):
        if future.status == "error":
            future.result()  # raises the task's error here, with its traceback
        report(stage, done, len(futures))
