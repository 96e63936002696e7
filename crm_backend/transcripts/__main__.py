"""`python -m crm_backend.transcripts index`: fold Rasa's new events into the conversation index."""

import argparse
import logging
import sys

from crm_backend.core.config import get_settings
from crm_backend.core.db import make_engine, make_session_factory, session_scope
from crm_backend.transcripts.indexer import index_new_events
from crm_backend.transcripts.tracker import tracker_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_backend.transcripts", description=__doc__)
    parser.add_argument("command", choices=["index"])
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
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


if __name__ == "__main__":
    sys.exit(main())
