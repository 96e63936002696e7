"""Erasing a customer's conversations from Rasa's tracker store (its `events` table).

Rasa keeps every message of a conversation there, words and customer token included. The
CRM finds the customer's conversations in its own tables (`crm_backend.privacy.conversations`),
after folding the events that the transcripts index has not read yet into it, so that a
conversation from the last minutes is found too; then it deletes those conversations' events.

This is the CRM's only write to the tracker store. A message that Rasa is answering at that
very moment can still be saved after the deletion (Rasa appends the turn it holds in memory).
"""

import logging
from dataclasses import dataclass

from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from crm_backend.core.config import Settings
from crm_backend.transcripts.indexer import index_new_events
from crm_backend.transcripts.tracker import events_table, tracker_engine

logger = logging.getLogger(__name__)

DELETE_CHUNK = 500


@dataclass(frozen=True)
class TrackerStore:
    """Rasa's tracker store, and the secret of the customer tokens its messages carry."""

    engine: Engine
    token_secret: str


def configured_tracker_store(settings: Settings) -> TrackerStore | None:
    """The tracker store of TRACKER_DB_URL, or None when it is not set."""
    if not settings.tracker_db_url:
        return None
    return TrackerStore(tracker_engine(settings.tracker_db_url), settings.customer_token_secret.get_secret_value())


def index_conversations(*, db_session: Session, tracker: TrackerStore) -> None:
    """Bring the transcripts index up to date, so that it names every conversation of a customer."""
    index_new_events(db_session=db_session, tracker=tracker.engine, secret=tracker.token_secret)


def delete_conversation_events(*, tracker: TrackerStore, conversation_ids: set[str]) -> int:
    """Delete every event of these conversations, in a transaction of its own; returns how many."""
    deleted = 0
    ordered = sorted(conversation_ids)
    with tracker.engine.begin() as connection:
        for start in range(0, len(ordered), DELETE_CHUNK):
            chunk = ordered[start : start + DELETE_CHUNK]
            result = connection.execute(delete(events_table).where(events_table.c.sender_id.in_(chunk)))
            deleted += result.rowcount or 0
    logger.info("Deleted %s tracker events of %s conversations", deleted, len(ordered))
    return deleted
