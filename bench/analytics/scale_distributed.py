"""The analytics job on Dask (LocalCluster, 2 workers): equivalence, kill a worker, scale.

    .venv/bin/python -m bench.analytics.scale_distributed [--check-rows 1000000] [--rows 10000000 30000000]

- equivalence: on ``--check-rows`` synthetic rows, the pandas job and the Dask job give the
  same segments, churn scores within 1e-6 and the same top-10 recommendations;
- kill a worker: the same Dask run with one worker process killed mid-run must finish with
  the same rows (Dask recomputes the lost partitions; the nanny restarts the worker);
- scale: for each ``--rows``, the Dask job's seconds and peak resident memory per worker
  and in total (job process with the scheduler + workers), sampled every 0.5 s.

Synthetic data come from ``bench.analytics.synthetic_transactions`` (cached under var/) and
are exported to Parquet partitioned by customer-id range the way the import job's chunks
would be (``analytics.partitioned``). Results go under ``distributed`` in
bench/results/analytics_scale.json, beside the pandas figures of ``bench.analytics.scale``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psutil

from analytics.distributed import DaskSettings, dask_client, read_parquet_partitions, run_partitioned
from analytics.partitioned import id_ranges, write_parquet_partitions
from bench.analytics.importing import clean_import_rows

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "analytics_scale.json"
ROWS_PER_PARTITION = 1_500_000
GENERATED_MAX = 10_000_000
ID_STRIDE = 10_000_000
CSV_DTYPES = {"InvoiceNo": str, "StockCode": str, "CustomerID": str}
logger = logging.getLogger(__name__)


def parquet_folders(rows: int) -> list[str]:
    """``rows`` synthetic rows as Parquet folders by customer-id range (cached).

    Sizes above :data:`GENERATED_MAX` are the generated file of that size repeated with
    disjoint customer and invoice ids (copy ``c`` adds ``c * 10**7``): the same shop
    distribution with proportionally more customers, without hours of generation."""
    base = min(rows, GENERATED_MAX)
    copies = math.ceil(rows / base)
    csv = ROOT / "var" / f"synthetic_{base}.csv.gz"
    if not csv.exists():
        subprocess.run(
            [sys.executable, "-m", "bench.analytics.synthetic_transactions", "--rows", str(base), "--out", str(csv)],
            cwd=ROOT,
            check=True,
        )
    out = ROOT / "var" / f"parquet_{rows}"
    done = out / "_complete"
    if not done.exists():
        customers = max(10, base // 100)  # the generator's default
        ranges = [
            (start + c * ID_STRIDE, end + c * ID_STRIDE)
            for c in range(copies)
            for start, end in id_ranges(10000, 10000 + customers - 1, max(2, base // ROWS_PER_PARTITION))
        ]

        def chunks():
            for c in range(copies):
                reader = pd.read_csv(csv, dtype=CSV_DTYPES, chunksize=500_000)
                for raw in reader:
                    clean = clean_import_rows(raw, keep_guests=False)[0].drop(columns=["country"])
                    if c:
                        clean["customer_id"] = (clean["customer_id"].astype("int64") + c * ID_STRIDE).astype(str)
                        clean["order_id"] = f"{c}-" + clean["order_id"]
                    yield clean

        write_parquet_partitions(chunks(), out, ranges)
        done.touch()
    return sorted(str(p) for p in out.glob("part-*"))


class MemoryWatch(threading.Thread):
    """Peak RSS of this process (driver + scheduler) and of each worker process, in MB."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_total = 0.0
        self.peak_worker = 0.0
        self._stop = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.5):
            try:
                children = me.children(recursive=True)
                rss = {p.pid: p.memory_info().rss / 2**20 for p in children}
            except psutil.Error:
                continue
            self.peak_total = max(self.peak_total, me.memory_info().rss / 2**20 + sum(rss.values()))
            self.peak_worker = max([self.peak_worker, *rss.values()])

    def stop(self) -> None:
        self._stop.set()


def dask_job(folders: list[str], as_of: pd.Timestamp, *, kill_after: float | None = None) -> tuple[dict, dict]:
    """Run the Dask job; return (figures, per-customer results)."""
    settings = DaskSettings.from_env()
    watch = MemoryWatch()
    watch.start()
    started = time.perf_counter()
    killed = None
    with dask_client(settings) as client:
        if kill_after is not None:
            pids = list(client.run(os.getpid).values())

            def kill() -> None:
                nonlocal killed
                time.sleep(kill_after)
                os.kill(pids[0], signal.SIGKILL)
                killed = pids[0]
                logger.warning("killed worker process %d", pids[0])

            threading.Thread(target=kill, daemon=True).start()
        run = run_partitioned(
            client,
            read_parquet_partitions(folders),
            as_of=as_of,
            k=10,
            recommend_as_of=as_of,
            fit_sample=settings.fit_sample,
            progress=lambda stage, done, total: logger.info("%s %d/%d", stage, done, total),
        )
        parts = dict(run.partitions)
    seconds = time.perf_counter() - started
    watch.stop()
    scores = pd.concat([p["scores"] for p in parts.values()]).set_index("customer_id").sort_index()
    recs = pd.concat([p["recommendations"] for p in parts.values()], ignore_index=True)
    figures = {
        "seconds": round(seconds, 1),
        "peak_worker_rss_mb": round(watch.peak_worker, 1),
        "peak_total_rss_mb": round(watch.peak_total, 1),
        "customers_scored": len(scores),
        "recommendations": len(recs),
        "partitions": len(folders),
        "worker_memory_limit": settings.worker_memory,
        "killed_worker_pid": killed,
    }
    return figures, {"scores": scores, "recommendations": recs}


def same_results(reference: dict, other: dict) -> dict:
    """Segments equal, churn within 1e-6, top-10 recommendations equal."""
    a, b = reference["scores"], other["scores"]
    churn_gap = float((a["churn_probability"] - b["churn_probability"].reindex(a.index)).abs().max())
    key = ["customer_id", "rank"]
    cols = [*key, "product_id"]
    ra = reference["recommendations"].sort_values(key).reset_index(drop=True)
    rb = other["recommendations"].sort_values(key).reset_index(drop=True)
    return {
        "customers": len(a) == len(b),
        "segments_equal": bool(a.index.equals(b.index) and (a["segment"] == b["segment"].reindex(a.index)).all()),
        "max_churn_difference": churn_gap,
        "top10_equal": bool(len(ra) == len(rb) and (ra[cols] == rb[cols]).all().all()),
    }


def check(rows: int) -> dict:
    """Pandas vs Dask on ``rows`` rows, then Dask with a worker killed."""
    from analytics.jobs import recommend_products, score_customers

    folders = parquet_folders(rows)
    tx = pd.concat([pd.read_parquet(f) for f in folders], ignore_index=True)
    as_of = tx["order_date"].max() - pd.Timedelta(days=30)
    started = time.perf_counter()
    insights = score_customers(tx, as_of=as_of, evaluate=False)
    reference = {
        "scores": insights.scores.set_index("customer_id").sort_index(),
        "recommendations": recommend_products(tx, k=10, model="ease", as_of=as_of),
    }
    pandas_seconds = time.perf_counter() - started
    del tx
    figures, result = dask_job(folders, as_of)
    same = same_results(reference, result)
    killed_figures, killed_result = dask_job(folders, as_of, kill_after=figures["seconds"] * 0.3)
    killed_same = same_results(reference, killed_result)
    ok = lambda s: s["customers"] and s["segments_equal"] and s["max_churn_difference"] <= 1e-6 and s["top10_equal"]  # noqa: E731
    return {
        "rows": rows,
        "pandas_seconds": round(pandas_seconds, 1),
        "dask": figures,
        "comparison": same,
        "equivalent_to_pandas": bool(ok(same)),
        "worker_killed": {**killed_figures, "comparison": killed_same},
        "worker_killed_ok": bool(killed_figures["killed_worker_pid"] and ok(killed_same)),
    }


def scale(rows: int) -> dict:
    folders = parquet_folders(rows)
    ends = pd.concat([pd.read_parquet(f, columns=["order_date"]).max() for f in folders])
    as_of = ends.max() - pd.Timedelta(days=30)
    load_before = os.getloadavg()
    figures, _ = dask_job(folders, as_of)
    return {"rows": rows, **figures, "load_average_before": [round(x, 2) for x in load_before]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check-rows", type=int, default=1_000_000, help="0 skips the equivalence check")
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000_000, 30_000_000])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    block = results.setdefault("distributed", {"engine": "dask.distributed LocalCluster, 2 workers x 1 thread"})
    if args.check_rows:
        block["check"] = check(args.check_rows)
        block["equivalent_to_pandas"] = block["check"]["equivalent_to_pandas"]
        block["worker_killed_ok"] = block["check"]["worker_killed_ok"]
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    for rows in args.rows:
        figures = scale(rows)
        block.setdefault("by_rows", {})[str(rows)] = figures
        largest = max(block["by_rows"].values(), key=lambda f: f["rows"])
        block.update({k: largest[k] for k in ("rows", "seconds", "peak_worker_rss_mb", "peak_total_rss_mb")})
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(block, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
