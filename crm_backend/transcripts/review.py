"""What an agent sees of one conversation: transcript, customer 360, decisions, handoffs,
notes, tags, annotations and insight, with the audit entries that reading it writes."""

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crm_backend.agents.models import Agent
from crm_backend.annotations import service as annotations
from crm_backend.annotations.domain import domain_vocabulary
from crm_backend.audit.service import AuditAction, audit, record_customer_reads
from crm_backend.conversations.models import BotDecision
from crm_backend.conversations.ownership import owner_of
from crm_backend.core.errors import NotFound
from crm_backend.customers.overview import build_360
from crm_backend.handoff.models import Handoff
from crm_backend.insights.models import ConversationInsight
from crm_backend.transcripts import service as transcripts
from crm_backend.transcripts.indexer import index_new_events
from crm_backend.transcripts.tracker import conversation_context

MAX_INDEX_BATCHES_PER_REQUEST = 5


class ConversationNotFound(NotFound):
    code = "conversation_not_found"
    message = "No such conversation."


def refresh_index(*, db_session: Session, tracker: Engine, secret: str) -> None:
    """Fold new events into the index before showing it (bounded work per request). Commits,
    so that the index's progress survives a page that fails later."""
    index_new_events(db_session=db_session, tracker=tracker, secret=secret, max_batches=MAX_INDEX_BATCHES_PER_REQUEST)
    db_session.commit()


def conversation_review(
    *, db_session: Session, tracker: Engine, secret: str, conversation_id: str, agent: Agent, must_exist: bool = True
) -> dict:
    """Everything the transcript page shows; `ConversationNotFound` if nothing is known of it."""
    refresh_index(db_session=db_session, tracker=tracker, secret=secret)
    items = transcripts.load_transcript(tracker, conversation_id)
    summary = transcripts.get_summary(db_session=db_session, conversation_id=conversation_id)
    if must_exist and not items and summary is None:
        raise ConversationNotFound()
    customer_id = owner_of(db_session=db_session, conversation_id=conversation_id)  # never the latest token
    view_360 = build_360(db_session=db_session, customer_id=customer_id) if customer_id else None
    if view_360 is not None:
        record_customer_reads(db_session=db_session, agent_id=agent.id, customer_ids=[customer_id], view="console")
    audit(db_session, agent, AuditAction.READ, "conversation", conversation_id, customer_id=customer_id)
    decisions = db_session.scalars(
        select(BotDecision).where(BotDecision.conversation_id == conversation_id).order_by(BotDecision.id)
    ).all()
    handoffs = db_session.scalars(
        select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc())
    ).all()
    intents, entities = domain_vocabulary()
    annotated = {
        a.event_id: a for a in annotations.list_annotations(db_session=db_session, conversation_id=conversation_id)
    }
    return {
        "conversation_id": conversation_id,
        "items": items,
        "summary": summary,
        "c360": view_360,
        "decisions": decisions,
        "handoffs": handoffs,
        "notes": annotations.list_notes(db_session=db_session, conversation_id=conversation_id),
        "tags": annotations.list_tags(db_session=db_session, conversation_id=conversation_id),
        "domain_intents": intents,
        "domain_entities": entities,
        "annotated": annotated,
        "insight": db_session.get(ConversationInsight, conversation_id),
        "talking_about": conversation_context(tracker, conversation_id),
    }
