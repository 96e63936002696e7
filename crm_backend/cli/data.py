"""Data in and out of the CRM: imports, the bot's catalogue lookup tables, the transcript index."""

import argparse
import sys
from pathlib import Path

from crm_backend.catalogue.lookups import write_lookups
from crm_backend.cli import imports as import_cli
from crm_backend.cli.common import group
from crm_backend.core.config import get_settings
from crm_backend.core.db import make_engine, make_session_factory, session_scope
from crm_backend.transcripts.indexer import index_new_events
from crm_backend.transcripts.tracker import tracker_engine


def _lookups(args: argparse.Namespace) -> int:
    return write_lookups(args.output)


def _index(_args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.tracker_db_url:
        print("TRACKER_DB_URL is not set", file=sys.stderr)
        return 1
    engine = make_engine(settings.database_url)
    for db_session in session_scope(make_session_factory(engine)):
        result = index_new_events(
            db_session=db_session,
            tracker=tracker_engine(settings.tracker_db_url),
            secret=settings.customer_token_secret.get_secret_value(),
        )
    engine.dispose()
    print(
        f"indexed {result.events} events of {result.conversations} conversations (up to event {result.last_event_id})"
    )
    return 0


def add_commands(commands) -> None:
    import_cli.add_commands(group(commands, "import", "import shop data (see docs/IMPORT_FORMAT.md)"))
    catalogue = group(commands, "catalogue", "the product catalogue, as the bot needs it")
    lookups = catalogue.add_parser("lookups", help="write the bot's product and category lookup tables (Rasa YAML)")
    lookups.add_argument("output", type=Path, help="e.g. nlu_data/lookups/catalogue.yml")
    lookups.set_defaults(handler=_lookups)
    transcripts = group(commands, "transcripts", "conversations read from Rasa's tracker store")
    transcripts.add_parser("index", help="fold Rasa's new events into the conversation index").set_defaults(
        handler=_index
    )
