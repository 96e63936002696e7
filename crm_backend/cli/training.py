"""Agents' annotations as training data, and the job worker that retrains the bot.

python -m crm_backend annotations export [--out PATH]
python -m crm_backend jobs retrain          (queue a retraining, as the console's button does)
python -m crm_backend jobs work [--once]    (run queued jobs; `make run` starts one)
"""

import argparse
import signal
import sys
from functools import partial
from pathlib import Path

from crm_backend.annotations.export import ExportRefused, export_annotations
from crm_backend.annotations.jobs import ROOT, enqueue_training, work
from crm_backend.cli.common import group
from crm_backend.core.config import get_settings
from crm_backend.core.db import make_engine, make_session_factory, session_scope

TRAINING_LOG = ROOT / "var" / "log" / "training.log"


def _scopes():
    return partial(session_scope, make_session_factory(make_engine(get_settings().database_url)))


def _export(args: argparse.Namespace) -> int:
    path = args.out or Path(get_settings().annotations_export_path)
    try:
        for db_session in _scopes()():
            result = export_annotations(db_session=db_session, path=path)
    except ExportRefused as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {result.examples} examples to {result.path} "
          f"({result.skipped_duplicates} duplicates, {result.skipped_unknown} unknown intents skipped)")  # fmt: skip
    return 0


def _retrain(_args: argparse.Namespace) -> int:
    for db_session in _scopes()():
        job, created = enqueue_training(db_session=db_session, agent_id=None)
        job_id, state = job.id, job.state
    print(f"training job {job_id} queued" if created else f"training job {job_id} is already {state}")
    return 0


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(0)


def _work(args: argparse.Namespace) -> int:
    settings = get_settings()
    signal.signal(signal.SIGTERM, _stop)
    done = work(
        _scopes(),
        export_path=Path(settings.annotations_export_path),
        command=settings.retrain_command,
        log_path=args.log,
        once=args.once,
        poll_seconds=args.poll_seconds,
    )
    print(f"{done} jobs run")
    return 0


def add_commands(commands) -> None:
    annotations = group(commands, "annotations", "agents' corrections of the bot's understanding")
    export = annotations.add_parser("export", help="write the corrections as Rasa NLU training data")
    export.add_argument("--out", type=Path, help="default: ANNOTATIONS_EXPORT_PATH (var/annotations/corrections.yml)")
    export.set_defaults(handler=_export)
    jobs = group(commands, "jobs", "background jobs, run outside the web process")
    jobs.add_parser("retrain", help="queue a retraining of the bot").set_defaults(handler=_retrain)
    worker = jobs.add_parser("work", help="run queued jobs until stopped")
    worker.add_argument("--once", action="store_true", help="run the jobs queued now, then exit")
    worker.add_argument("--poll-seconds", type=float, default=2.0)
    worker.add_argument("--log", type=Path, default=TRAINING_LOG, help="the retrain command's output")
    worker.set_defaults(handler=_work)
