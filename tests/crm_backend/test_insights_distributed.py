"""The analytics job on Dask: the pandas job's rows, written per customer range, resumable after a kill."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from analytics.distributed import DaskSettings
from crm_backend.core.db import make_engine, make_session_factory, session_scope, upgrade_database
from crm_backend.demo_data import seed_demo_data
from crm_backend.insights.jobs import run_analytics_job
from crm_backend.insights.models import CustomerScore, Recommendation

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = DaskSettings(n_workers=2, processes=False, worker_memory="1GiB")


def snapshot(factory) -> tuple[dict, list]:
    with factory() as db_session:
        scores = {s.customer_id: (s.segment, s.churn_probability) for s in db_session.scalars(select(CustomerScore))}
        recs = sorted(
            (r.customer_id, r.rank, r.product_id, r.reason) for r in db_session.scalars(select(Recommendation))
        )
    return scores, recs


def assert_same(expected: tuple[dict, list], got: tuple[dict, list]) -> None:
    assert got[0].keys() == expected[0].keys() and len(got[0]) > 0
    for customer, (segment, churn) in expected[0].items():
        assert got[0][customer][0] == segment
        assert (churn is None and got[0][customer][1] is None) or abs(got[0][customer][1] - churn) <= 1e-6
    assert got[1] == expected[1] and len(got[1]) > 0


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shop(request, tmp_path_factory, postgres_database_factory):
    """A demo shop and the pandas job's rows as of a fixed moment."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('dask') / 'crm.db'}"
    else:
        url = postgres_database_factory()
    upgrade_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    for db_session in session_scope(factory):
        seed_demo_data(db_session, seed=3)
    as_of = datetime.now(UTC).replace(microsecond=0)
    for db_session in session_scope(factory):
        run_analytics_job(db_session, as_of=as_of, backend="pandas", show_progress=False)
    yield url, factory, as_of, snapshot(factory)
    engine.dispose()


def test_dask_backend_writes_the_pandas_rows_and_records_its_progress(shop, tmp_path):
    _url, factory, as_of, expected = shop
    for db_session in session_scope(factory):
        result = run_analytics_job(
            db_session, as_of=as_of, backend="dask", dask_settings=SETTINGS, registry_dir=tmp_path, show_progress=False
        )
    assert_same(expected, snapshot(factory))
    record = json.loads((tmp_path / "runs" / f"{result.model_version}.json").read_text())
    assert record["status"] == "done" and record["backend"] == "dask"
    assert record["written_partitions"] == list(range(len(record["ranges"])))
    assert record["stages"]["score + recommend"]["done"] == record["stages"]["score + recommend"]["total"]
    assert (tmp_path / "segmentation").is_dir() and (tmp_path / "churn").is_dir()


def test_a_killed_run_resumes_without_duplicates(shop, tmp_path, test_secrets):
    url, factory, as_of, expected = shop
    run_id = "analytics-killed"
    env = {
        **os.environ,
        **test_secrets,
        "DATABASE_URL": url,
        "ANALYTICS_BACKEND": "dask",
        "DASK_PROCESSES": "0",
        "ANALYTICS_PARTITION_ITEMS": "150",  # many small partitions: the kill lands between batches
    }
    command = [sys.executable, "-m", "crm_backend", "insights", "run", "--registry", str(tmp_path)]
    command += ["--run-id", run_id, "--as-of", as_of.strftime("%Y-%m-%dT%H:%M:%S")]
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    record_path = tmp_path / "runs" / f"{run_id}.json"
    deadline = time.monotonic() + 300
    record = {}
    while time.monotonic() < deadline and child.poll() is None:
        if record_path.exists():
            record = json.loads(record_path.read_text())
            if record.get("written_partitions"):
                break
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert 0 < len(record["written_partitions"]) < len(record["ranges"]), "the kill did not land mid-run"
    with factory() as db_session:
        assert db_session.scalar(select(func.count()).select_from(CustomerScore).where(
            CustomerScore.model_version == run_id)) > 0  # fmt: skip

    for db_session in session_scope(factory):
        result = run_analytics_job(
            db_session,
            run_id=run_id,
            backend="dask",
            dask_settings=SETTINGS,
            registry_dir=tmp_path,
            show_progress=False,
        )
    assert result.model_version == run_id
    got = snapshot(factory)
    assert len(got[1]) == len({(customer, rank) for customer, rank, *_ in got[1]})
    assert_same(expected, got)
    assert json.loads(record_path.read_text())["status"] == "done"
