"""One thread for the agent: the conversation's messages from Rasa's tracker store and the
agents' internal notes, in time order. Notes live in the CRM and never reach the customer."""

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crm_backend.agents.models import Agent
from crm_backend.annotations.models import ConversationNote
from crm_backend.transcripts.service import TranscriptItem, load_transcript


def note_items(*, db_session: Session, conversation_id: str, after_id: int = 0) -> list[TranscriptItem]:
    """The notes after note `after_id` as thread items (`kind="note"`, `event_id` the note's id)."""
    statement = (
        select(ConversationNote, Agent.name)
        .outerjoin(Agent, Agent.id == ConversationNote.agent_id)
        .where(ConversationNote.conversation_id == conversation_id, ConversationNote.id > after_id)
        .order_by(ConversationNote.id)
    )
    return [
        TranscriptItem(kind="note", event_id=note.id, at=note.created_at, text=note.body, name=name)
        for note, name in db_session.execute(statement)
    ]


def thread(
    *, db_session: Session, tracker: Engine, conversation_id: str, after_event: int = 0, after_note: int = 0
) -> list[TranscriptItem]:
    """Messages after tracker event `after_event` and notes after `after_note`, oldest first."""
    items = load_transcript(tracker, conversation_id, after_id=after_event)
    notes = note_items(db_session=db_session, conversation_id=conversation_id, after_id=after_note)
    return sorted(items + notes, key=lambda item: item.at)


def last_ids(items: list[TranscriptItem]) -> tuple[int, int]:
    """(highest tracker event id, highest note id) among `items` (0 where none)."""
    events = [i.event_id for i in items if i.kind != "note"]
    notes = [i.event_id for i in items if i.kind == "note"]
    return max(events, default=0), max(notes, default=0)
