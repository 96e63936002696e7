"""Saving annotations, notes and tags. Services flush; the caller owns the transaction.

Annotations become training data, so they are checked strictly: names of the exported
vocabulary only, no control or line-separator characters anywhere, and every entity's value
is exactly the part of the message it marks (an invented value would teach the bot text that
nobody wrote, and was the way to inject YAML).
"""

import re
import unicodedata
from datetime import UTC, datetime
from itertools import pairwise

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crm_backend.annotations.domain import domain_vocabulary
from crm_backend.annotations.models import ConversationNote, ConversationTag, NluAnnotation

MAX_ENTITIES = 20
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_/]*$")
# Cc: C0/C1 controls (newline, tab, NEL...); Zl, Zp: U+2028 and U+2029, line breaks to YAML.
FORBIDDEN_CATEGORIES = {"Cc", "Zl", "Zp"}


class InvalidAnnotation(ValueError):
    """An intent or entity that the vocabulary does not know, bad characters, or offsets
    outside the text; the message says which (it is shown to the agent with a 4xx)."""


def check_characters(field: str, value: str) -> str:
    for position, char in enumerate(value):
        if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            raise InvalidAnnotation(f"{field} contains a control character (U+{ord(char):04X} at {position})")
    return value


def check_name(field: str, value: str, known: tuple[str, ...]) -> str:
    check_characters(field, value)
    if not NAME.match(value):
        raise InvalidAnnotation(f"{field} {value!r} is not a valid name (letters, digits, _ and /)")
    if value not in known:
        raise InvalidAnnotation(f"unknown {field} {value!r}")
    return value


def clean_entities(text: str, entities: list[dict], known_entities: tuple[str, ...]) -> list[dict]:
    """Entities checked against the text and the vocabulary: start < end within the text, and
    the value (if given) is the marked span itself."""
    if len(entities) > MAX_ENTITIES:
        raise InvalidAnnotation(f"at most {MAX_ENTITIES} entities per message")
    cleaned = []
    for entity in entities:
        try:
            start, end = int(entity["start"]), int(entity["end"])
            name = str(entity["entity"]).strip()
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidAnnotation("each entity needs start, end and entity") from error
        check_name("entity", name, known_entities)
        if not 0 <= start < end <= len(text):
            raise InvalidAnnotation(f"entity {name!r} lies outside the message")
        span = text[start:end]
        value = entity.get("value")
        if value is not None and str(value).strip() and str(value).strip() != span.strip():
            raise InvalidAnnotation(f"the value of entity {name!r} must be the marked part of the message")
        if not span.strip():
            raise InvalidAnnotation(f"entity {name!r} marks only whitespace")
        cleaned.append({"start": start, "end": end, "entity": name, "value": span.strip()})
    spans = sorted((e["start"], e["end"]) for e in cleaned)
    if any(a_end > b_start for (_, a_end), (b_start, _) in pairwise(spans)):
        raise InvalidAnnotation("entities must not overlap")
    return sorted(cleaned, key=lambda e: e["start"])


def save_annotation(
    *,
    db_session: Session,
    conversation_id: str,
    event_id: int,
    text: str,
    predicted_intent: str | None,
    predicted_confidence: float | None,
    intent: str,
    entities: list[dict],
    agent_id: int,
) -> NluAnnotation:
    """Create or replace the annotation of one user message (`text` is already redacted)."""
    intents, known_entities = domain_vocabulary()
    check_name("intent", intent, intents)
    check_characters("the message", text)
    cleaned = clean_entities(text, entities, known_entities)
    annotation = db_session.scalars(select(NluAnnotation).where(NluAnnotation.event_id == event_id)).one_or_none()
    if annotation is None:
        annotation = NluAnnotation(conversation_id=conversation_id, event_id=event_id)
        db_session.add(annotation)
    annotation.text = text
    annotation.predicted_intent = predicted_intent
    annotation.predicted_confidence = predicted_confidence
    annotation.intent = intent
    annotation.entities = cleaned
    annotation.agent_id = agent_id
    annotation.created_at = datetime.now(UTC)
    annotation.exported_at = None
    db_session.flush()
    return annotation


def list_annotations(
    *, db_session: Session, conversation_id: str | None = None, limit: int = 500
) -> list[NluAnnotation]:
    statement = select(NluAnnotation).order_by(NluAnnotation.id.desc()).limit(limit)
    if conversation_id is not None:
        statement = statement.where(NluAnnotation.conversation_id == conversation_id)
    return list(db_session.scalars(statement))


def add_note(*, db_session: Session, conversation_id: str, agent_id: int, body: str) -> ConversationNote:
    note = ConversationNote(conversation_id=conversation_id, agent_id=agent_id, body=body, created_at=datetime.now(UTC))
    db_session.add(note)
    db_session.flush()
    return note


def list_notes(*, db_session: Session, conversation_id: str) -> list[ConversationNote]:
    statement = select(ConversationNote).where(ConversationNote.conversation_id == conversation_id)
    return list(db_session.scalars(statement.order_by(ConversationNote.id)))


def add_tag(*, db_session: Session, conversation_id: str, agent_id: int, tag: str) -> ConversationTag:
    """Tag a conversation; adding an existing tag again changes nothing."""
    tag = tag.strip().lower()
    existing = db_session.scalars(
        select(ConversationTag).where(ConversationTag.conversation_id == conversation_id, ConversationTag.tag == tag)
    ).one_or_none()
    if existing is not None:
        return existing
    row = ConversationTag(conversation_id=conversation_id, tag=tag, agent_id=agent_id, created_at=datetime.now(UTC))
    db_session.add(row)
    db_session.flush()
    return row


def remove_tag(*, db_session: Session, conversation_id: str, tag: str) -> None:
    db_session.execute(
        delete(ConversationTag).where(ConversationTag.conversation_id == conversation_id, ConversationTag.tag == tag)
    )


def list_tags(*, db_session: Session, conversation_id: str) -> list[str]:
    statement = select(ConversationTag.tag).where(ConversationTag.conversation_id == conversation_id)
    return sorted(db_session.scalars(statement))
