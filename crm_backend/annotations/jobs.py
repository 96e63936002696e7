"""Retraining as a queued job: the console queues it, the worker runs it.

The web process only writes a `training_jobs` row. `python -m crm_backend jobs work` (started
as its own process by `make run`, a separate service in production) claims queued jobs one
at a time, exports the annotations and runs RETRAIN_COMMAND in the project folder, and keeps
the end of its log on the row for the console. Claiming is one conditional UPDATE, so two
workers never run the same job.
"""

import logging
import shlex
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_backend.annotations.export import ExportRefused, export_annotations
from crm_backend.annotations.models import TrainingJob

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
LOG_TAIL_LINES = 40
ACTIVE = ("queued", "running")


def enqueue_training(*, db_session: Session, agent_id: int | None) -> tuple[TrainingJob, bool]:
    """Queue a retraining; (the job, True), or (the queued or running one, False)."""
    active = db_session.scalars(
        select(TrainingJob).where(TrainingJob.state.in_(ACTIVE)).order_by(TrainingJob.id).limit(1)
    ).first()
    if active is not None:
        return active, False
    job = TrainingJob(state="queued", requested_by=agent_id, created_at=datetime.now(UTC), log_tail="")
    db_session.add(job)
    db_session.flush()
    return job, True


def latest_job(*, db_session: Session) -> TrainingJob | None:
    return db_session.scalars(select(TrainingJob).order_by(TrainingJob.id.desc()).limit(1)).first()


def claim_next(*, db_session: Session) -> TrainingJob | None:
    """Mark the oldest queued job running and return it; None if there is none (or another
    worker took it first)."""
    job_id = db_session.scalar(select(TrainingJob.id).where(TrainingJob.state == "queued").order_by(TrainingJob.id))
    if job_id is None:
        return None
    claimed = db_session.execute(
        update(TrainingJob)
        .where(TrainingJob.id == job_id, TrainingJob.state == "queued")
        .values(state="running", started_at=datetime.now(UTC))
    )
    if claimed.rowcount != 1:
        return None
    db_session.flush()
    return db_session.get(TrainingJob, job_id, populate_existing=True)


def _tail(text: str) -> str:
    lines = [line for line in text.replace("\r", "\n").splitlines() if line.strip()]
    return "\n".join(lines[-LOG_TAIL_LINES:])


def run_training(
    session_scope_factory: Callable, job_id: int, *, export_path: Path, command: str, log_path: Path, cwd: Path = ROOT
) -> TrainingJob:
    """Export the annotations, then run the retrain command; the job ends succeeded or failed.
    No transaction stays open while the command runs (SQLite would lock the CRM for minutes)."""
    try:
        for db_session in session_scope_factory():
            result = export_annotations(db_session=db_session, path=export_path)
        head = f"exported {result.examples} examples to {result.path}\n"
        log_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        log_path.write_bytes(head.encode())
        with log_path.open("ab") as log:
            code = subprocess.call(shlex.split(command), cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        output = log_path.read_bytes()[-20_000:].decode(errors="replace")
    except (ExportRefused, OSError, ValueError) as error:
        code, output = 1, f"error: {error}"
    for db_session in session_scope_factory():
        job = db_session.get(TrainingJob, job_id)
        job.state = "succeeded" if code == 0 else "failed"
        job.exit_code = code
        job.finished_at = datetime.now(UTC)
        job.log_tail = _tail(output)
        db_session.flush()
        db_session.expunge(job)
    return job


def work(
    session_scope_factory: Callable,
    *,
    export_path: Path,
    command: str,
    log_path: Path,
    once: bool = False,
    poll_seconds: float = 2.0,
) -> int:
    """Run queued jobs until stopped (or, with `once`, those queued now); the number run.
    `session_scope_factory()` yields one session per unit of work (core.db.session_scope)."""
    done = 0
    logger.info("job worker started: runs queued retraining jobs (%s), polling every %s s", command, poll_seconds)
    while True:
        for db_session in session_scope_factory():
            job = claim_next(db_session=db_session)
            job_id = job.id if job is not None else None
        if job_id is None:
            if once:
                return done
            time.sleep(poll_seconds)
            continue
        logger.info("training job %s started", job_id)
        job = run_training(session_scope_factory, job_id, export_path=export_path, command=command, log_path=log_path)
        logger.info("training job %s %s (exit %s)", job_id, job.state, job.exit_code)
        done += 1
