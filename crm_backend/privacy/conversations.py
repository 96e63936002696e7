"""Erasing a customer's conversations from the CRM's own tables.

A conversation id is a personal link: it names the customer's chat (a Telegram id, a widget
session) and opens their transcript in Rasa's tracker store. A customer's conversations are
those they own (`crm_backend.conversations.ownership`: the first customer verified in it),
and those that rows tie to them and nobody owns. A conversation owned by someone else is
never theirs, whatever an older row says: someone who sent their own token into another
customer's conversation must not export or erase the other customer's messages with their own.
So erasure finds every conversation of the customer and

- deletes what exists only because of it: its owner record, indexed order numbers, mood and
  topic, agents' notes and tags, NLU annotations of the customer's messages, undelivered replies;
- keeps what the console's metrics count (the conversation summary, handoffs, CSAT ratings,
  help-centre outcomes)
  under a random id, without the customer's id, segment, words or handoff summary;
- rewrites the audit trail's references to the conversation to the same random id, so the
  trail still connects an agent's reads to the (now anonymous) conversation.

The events in Rasa's own tracker store go in `crm_backend.privacy.tracker`.
"""

import secrets
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from crm_backend.annotations.models import ConversationNote, ConversationTag, NluAnnotation
from crm_backend.audit.models import AuditEntry
from crm_backend.conversations.models import BotDecision, ConversationOwner
from crm_backend.conversations.ownership import owners_of
from crm_backend.core.db import Base
from crm_backend.handoff.models import CsatRating, Handoff, HandoffStatus, OutboundMessage
from crm_backend.insights.models import ConversationInsight
from crm_backend.kb.models import ArticleEvent
from crm_backend.transcripts.models import ConversationOrder, ConversationSummary

ERASED_PREFIX = "erased-"
# Rows that exist only because of a conversation.
DELETED = (
    ConversationOwner,
    ConversationOrder,
    ConversationInsight,
    ConversationNote,
    ConversationTag,
    NluAnnotation,
    OutboundMessage,
)
# Audit entries whose entity id is a conversation id (see crm_backend/console/routes_conversations.py).
AUDITED_AS_CONVERSATION = ("conversation", "conversation_tag")
AUDIT_ID_CHARS = 64


def pseudonym() -> str:
    """A random conversation id: nothing derived from the old one, so nothing leads back."""
    return ERASED_PREFIX + secrets.token_hex(8)


def _linking_tables() -> list:
    """Tables with both a `customer_id` and a `conversation_id` column (later ones count too)."""
    return [t for t in Base.metadata.sorted_tables if "customer_id" in t.c and "conversation_id" in t.c]


def _named_conversation_ids(db_session: Session, customer_id: int) -> set[str]:
    """Every conversation that some row ties to the customer."""
    ids: set[str] = set()
    for table in _linking_tables():
        statement = select(table.c.conversation_id).where(
            table.c.customer_id == customer_id, table.c.conversation_id.is_not(None)
        )
        ids.update(db_session.scalars(statement))
    return ids


def customer_conversation_ids(*, db_session: Session, customer_id: int) -> set[str]:
    """The customer's conversations: owned by them, or tied to them by a row and owned by nobody."""
    named = _named_conversation_ids(db_session, customer_id)
    owners = owners_of(db_session=db_session, conversation_ids=list(named))
    return {c for c in named if owners.get(c, customer_id) == customer_id}


def foreign_conversation_ids(*, db_session: Session, customer_id: int) -> set[str]:
    """Conversations that rows tie to the customer but another customer owns (rows written
    before conversations had owners): those rows are the customer's, the conversation is not."""
    named = _named_conversation_ids(db_session, customer_id)
    owners = owners_of(db_session=db_session, conversation_ids=list(named))
    return {c for c in named if owners.get(c, customer_id) != customer_id}


def unlink_from_foreign_conversations(*, db_session: Session, customer_id: int, conversation_ids: set[str]) -> int:
    """Rows that name the customer in someone else's conversations stop naming them; the
    conversations themselves are left alone. A summary names the conversation's owner."""
    if not conversation_ids:
        return 0
    changed = 0
    owner = (
        select(ConversationOwner.customer_id)
        .where(ConversationOwner.conversation_id == ConversationSummary.conversation_id)
        .scalar_subquery()
    )
    for table in _linking_tables():
        value = owner if table is ConversationSummary.__table__ else None
        statement = (
            update(table)
            .where(table.c.customer_id == customer_id, table.c.conversation_id.in_(sorted(conversation_ids)))
            .values(customer_id=value)
        )
        changed += _rowcount(db_session.execute(statement))
    return changed


def erase_conversations(*, db_session: Session, conversation_ids: set[str]) -> dict[str, int]:
    """Delete or anonymise the CRM's rows about these conversations; returns row counts."""
    counts = dict.fromkeys(
        [m.__tablename__ for m in (*DELETED, BotDecision, ConversationSummary, Handoff, CsatRating, ArticleEvent)], 0
    )
    counts["audit_log"] = _forget_note_audit(db_session, conversation_ids) if conversation_ids else 0
    for conversation_id in sorted(conversation_ids):
        new_id = pseudonym()
        for model in (*DELETED, BotDecision):
            counts[model.__tablename__] += _rowcount(
                db_session.execute(delete(model).where(model.conversation_id == conversation_id))
            )
        # Help-centre outcomes stay counted per article, without the chat or the question.
        counts["kb_events"] += _rowcount(
            db_session.execute(
                update(ArticleEvent)
                .where(ArticleEvent.conversation_id == conversation_id)
                .values(conversation_id=None, query=None)
            )
        )
        counts["conversation_summaries"] += _rowcount(
            db_session.execute(
                update(ConversationSummary)
                .where(ConversationSummary.conversation_id == conversation_id)
                .values(conversation_id=new_id, customer_id=None, segment=None, search_text="", first_message=None)
            )
        )
        # An open handoff cannot be served any more: nobody could reach the customer under the new id.
        db_session.execute(
            update(Handoff)
            .where(
                Handoff.conversation_id == conversation_id,
                Handoff.status.in_([HandoffStatus.QUEUED, HandoffStatus.ACTIVE]),
            )
            .values(status=HandoffStatus.CLOSED, closed_at=datetime.now(UTC))
        )
        counts["handoffs"] += _rowcount(
            db_session.execute(
                update(Handoff)
                .where(Handoff.conversation_id == conversation_id)
                .values(conversation_id=new_id, customer_id=None, summary=None)
            )
        )
        counts["csat_ratings"] += _rowcount(
            db_session.execute(
                update(CsatRating)
                .where(CsatRating.conversation_id == conversation_id)
                .values(conversation_id=new_id, customer_id=None)
            )
        )
        counts["audit_log"] += _rowcount(
            db_session.execute(
                update(AuditEntry)
                .where(
                    AuditEntry.entity_type.in_(AUDITED_AS_CONVERSATION),
                    AuditEntry.entity_id == conversation_id[:AUDIT_ID_CHARS],
                )
                .values(entity_id=new_id)
            )
        )
    return counts


def _forget_note_audit(db_session: Session, conversation_ids: set[str]) -> int:
    """Audit entries of notes name the conversation in their detail: that detail goes.
    Runs before the notes are deleted (their ids find the entries)."""
    note_ids = select(ConversationNote.id).where(ConversationNote.conversation_id.in_(conversation_ids))
    note_ids_as_text = [str(note_id) for note_id in db_session.scalars(note_ids)]
    if not note_ids_as_text:
        return 0
    statement = (
        update(AuditEntry)
        .where(AuditEntry.entity_type == "conversation_note", AuditEntry.entity_id.in_(note_ids_as_text))
        .values(detail=None)
    )
    return _rowcount(db_session.execute(statement))


def _rowcount(result) -> int:
    return result.rowcount or 0
