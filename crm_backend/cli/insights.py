"""`insights run` (score customers, refresh recommendations) and `insights conversations`
(sentiment and topics): the analytics jobs of crm_backend.insights."""

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

import crm_backend.models  # noqa: F401 - registers every table the foreign keys name
from crm_backend.cli.common import group
from crm_backend.core.config import get_settings
from crm_backend.core.db import make_engine, make_session_factory, session_scope
from crm_backend.insights.jobs import run_analytics_job
from crm_backend.insights.models import CustomerScore
from crm_backend.transcripts.topics import run_conversation_job


def _run(args: argparse.Namespace) -> int:
    factory = make_session_factory(make_engine(get_settings().database_url))
    as_of = datetime.fromisoformat(args.as_of).replace(tzinfo=UTC) if args.as_of else None
    if args.if_missing:
        with factory() as db_session:
            if db_session.scalar(select(CustomerScore.customer_id).limit(1)) is not None:
                print("Customers already have scores; nothing to do.")
                return 0
    try:
        for db_session in session_scope(factory):
            result = run_analytics_job(
                db_session,
                as_of=as_of,
                registry_dir=args.registry,
                recommender=args.recommender,
                backend=args.backend,
                run_id=args.run_id,
            )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(json.dumps({"model_version": result.model_version, "customers_scored": result.customers_scored,
                      "recommendations": result.recommendations}))  # fmt: skip
    return 0


def _conversations(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.tracker_db_url:
        print("TRACKER_DB_URL is not set: no transcripts to analyse.", file=sys.stderr)
        return 0 if args.if_configured else 1
    factory = make_session_factory(make_engine(settings.database_url))
    try:
        for db_session in session_scope(factory):
            result = run_conversation_job(db_session, make_engine(settings.tracker_db_url))
    except ValueError as error:
        print(f"{'note' if args.if_configured else 'error'}: {error}", file=sys.stderr)
        return 0 if args.if_configured else 1
    print(json.dumps({"model_version": result.model_version, "conversations": result.conversations,
                      "topics": result.topics, "coherence": result.coherence}))  # fmt: skip
    return 0


def add_commands(commands) -> None:
    insights = group(commands, "insights", "analytics jobs: customer scores, recommendations, conversation topics")
    run = insights.add_parser("run", help="score customers and refresh recommendations")
    run.add_argument("--as-of", help="score as of this date (YYYY-MM-DD); default: now")
    run.add_argument("--recommender", default="ease", choices=["popularity", "itemknn", "word2vec", "ease", "blend"])
    run.add_argument("--registry", type=Path, default=Path("var/models"), help="where models and metadata go")
    run.add_argument("--backend", choices=["pandas", "dask"], help="default: ANALYTICS_BACKEND, else pandas")
    run.add_argument("--run-id", help="resume this run (same as-of, written partitions skipped); default: a new one")
    run.add_argument("--if-missing", action="store_true", help="do nothing if customers already have scores")
    run.set_defaults(handler=_run)
    conversations = insights.add_parser("conversations", help="sentiment and topics of every conversation")
    conversations.add_argument("--if-configured", action="store_true", help="do nothing without TRACKER_DB_URL")
    conversations.set_defaults(handler=_conversations)
