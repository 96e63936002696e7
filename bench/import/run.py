"""Benchmark of the transaction importer: speed and peak memory on SQLite and PostgreSQL.

Imports the shared Online Retail file into a fresh SQLite file and a fresh PostgreSQL
database, then (scaling run) a synthetic file of several million rows into PostgreSQL, to
show that memory stays flat. Each import runs as its own process, as a user would run it;
its peak RSS is read from the kernel's accounting of that child (os.wait4). Figures go to
bench/results/import.json.

    .venv/bin/python bench/import/run.py [--synthetic-rows 5000000] [--parts real,scaling]
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT.parent / "shared/datasets/online_retail/online_retail_2010-12-01_2011-10-31.csv.gz"
RESULTS = ROOT / "bench/results/import.json"
ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def run_import(database_url: str, source: Path, workdir: Path) -> dict[str, Any]:
    """Migrate `database_url` (not timed), then import `source` in a child process."""
    _python(["-c", f"from crm_backend.core.db import upgrade_database; upgrade_database({database_url!r})"])
    command = [
        *("-m", "crm_backend", "import", "transactions", str(source)),
        *("--database-url", database_url, "--report", str(workdir / "rejected.csv"), "--json", "--no-progress"),
    ]
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, *command], cwd=ROOT, stdout=subprocess.PIPE)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    if process.returncode != 0:
        raise SystemExit(f"import failed with exit code {process.returncode}")
    summary = json.loads(output)
    return {
        "rows": summary["rows_read"],
        "seconds": round(seconds, 2),
        "rows_per_second": round(summary["rows_read"] / seconds),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports kilobytes
        "imported": summary["imported"],
        "merged": summary["merged"],
        "rejected": summary["rejected"],
        "rejected_by_reason": summary["rejected_by_reason"],
        "file_mb": round(source.stat().st_size / 2**20, 1),
    }


def sqlite_run(source: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-import-") as workdir:
        result = run_import(f"sqlite:///{workdir}/crm.db", source, Path(workdir))
    return {"backend": "sqlite", **result}


def postgres_run(source: Path) -> dict[str, Any]:
    name = f"concierge_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-import-") as workdir:
            result = run_import(url, source, Path(workdir))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return {"backend": "postgresql", **result}


def scaling_run(rows: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-import-") as workdir:
        source = Path(workdir) / "synthetic.csv.gz"
        started = time.perf_counter()
        _python([str(ROOT / "bench/import/synthetic.py"), str(source), "--rows", str(rows), "--seed", str(seed)])
        generated = time.perf_counter() - started
        result = postgres_run(source)
    return {**result, "synthetic_seed": seed, "generate_seconds": round(generated, 1)}


def _python(arguments: list[str]) -> None:
    subprocess.run([sys.executable, *arguments], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--synthetic-rows", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--parts", default="real,scaling", help="real (Online Retail), scaling (synthetic), or both")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    results = json.loads(args.output.read_text()) if args.output.exists() else {}
    results.update(
        {
            "benchmark": "transaction import (python -m crm_backend import transactions)",
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        }
    )
    if "real" in parts:
        if not args.dataset.exists():
            raise SystemExit(f"{args.dataset} is missing (../shared/datasets is needed for this part)")
        results["dataset"] = os.path.relpath(args.dataset, ROOT)
        results["backends"] = []
        for run in (sqlite_run, postgres_run):
            outcome = run(args.dataset)
            print(json.dumps(outcome))
            results["backends"].append(outcome)
    if "scaling" in parts:
        results["scaling"] = scaling_run(args.synthetic_rows, args.seed)
        print(json.dumps(results["scaling"]))
    results["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
