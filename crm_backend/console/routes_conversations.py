"""Transcript review: the conversation list, one transcript, notes, tags and annotations."""

import logging
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from crm_backend.annotations import service as annotations
from crm_backend.annotations.domain import domain_vocabulary
from crm_backend.annotations.service import InvalidAnnotation
from crm_backend.audit.service import AuditAction, record_agent_action, record_customer_reads
from crm_backend.console.auth import ConsoleAgent, CsrfChecked
from crm_backend.console.deps import TrackerDep
from crm_backend.console.render import render, secure
from crm_backend.conversations.models import BotDecision
from crm_backend.conversations.ownership import owner_of
from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.customers.router import build_360
from crm_backend.handoff.models import Handoff
from crm_backend.insights.models import ConversationInsight
from crm_backend.transcripts import service as transcripts
from crm_backend.transcripts.indexer import index_new_events
from crm_backend.transcripts.models import ConversationSummary

logger = logging.getLogger(__name__)
router = APIRouter()
ConversationPath = Annotated[str, "conversation id"]
MAX_INDEX_BATCHES_PER_REQUEST = 5


def refresh_index(db_session, tracker, settings) -> None:
    """Fold new events into the index before showing it (bounded work per request)."""
    index_new_events(
        db_session=db_session,
        tracker=tracker,
        secret=settings.customer_token_secret.get_secret_value(),
        max_batches=MAX_INDEX_BATCHES_PER_REQUEST,
    )
    db_session.commit()


def _epoch(day: str | None, *, end: bool = False) -> float | None:
    if not day:
        return None
    try:
        moment = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment.timestamp() + (86400 if end else 0)


def _flag(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _audit(db_session, agent, action, entity_type, entity_id, customer_id=None, detail=None) -> None:
    record_agent_action(
        db_session=db_session,
        agent_id=agent.id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id)[:64],
        customer_id=customer_id,
        detail=detail,
    )


@router.get("/")
def home():
    return secure(RedirectResponse("/console/conversations", status_code=303))


@router.get("/conversations")
def list_page(
    request: Request,
    agent: ConsoleAgent,
    db_session: SessionDep,
    settings: SettingsDep,
    tracker: TrackerDep,
    q: Annotated[str, Query(max_length=200)] = "",
    customer: Annotated[str, Query(max_length=12)] = "",
    order: Annotated[str, Query(max_length=40)] = "",
    channel: Annotated[str, Query(max_length=20)] = "",
    segment: Annotated[str, Query(max_length=40)] = "",
    intent: Annotated[str, Query(max_length=100)] = "",
    fallback: Annotated[str, Query(max_length=3)] = "",
    handoff: Annotated[str, Query(max_length=3)] = "",
    csat_max: Annotated[str, Query(max_length=1)] = "",
    conf_below: Annotated[str, Query(max_length=5)] = "",
    date_from: Annotated[str, Query(max_length=10)] = "",
    date_to: Annotated[str, Query(max_length=10)] = "",
    cursor: Annotated[str, Query(max_length=400)] = "",
):
    refresh_index(db_session, tracker, settings)
    filters = transcripts.ConversationFilters(
        text=q.strip() or None,
        customer_id=int(customer) if customer.isdigit() else None,
        order_number=order.strip() or None,
        channel=channel or None,
        segment=segment or None,
        intent=intent or None,
        had_fallback=_flag(fallback),
        had_handoff=_flag(handoff),
        csat_max=int(csat_max) if csat_max.isdigit() else None,
        confidence_below=_float(conf_below),
        since=_epoch(date_from),
        until=_epoch(date_to, end=True),
    )
    rows, next_cursor = transcripts.list_conversations(db_session=db_session, filters=filters, cursor=cursor or None)
    params = {k: v for k, v in request.query_params.items() if k != "cursor" and v}
    _audit(db_session, agent, AuditAction.READ, "conversation_list", None, detail={"shown": len(rows)})
    intents, _ = domain_vocabulary()
    return render(
        request,
        "conversations.html",
        {
            "rows": rows,
            "next_cursor": next_cursor,
            "params": params,
            "channels": transcripts.distinct_values(db_session=db_session, column=ConversationSummary.channel),
            "segments": transcripts.distinct_values(db_session=db_session, column=ConversationSummary.segment),
            "intents": intents,
            "f": request.query_params,
        },
    )


def _float(value: str) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def conversation_context(
    db_session, tracker, settings, conversation_id: str, agent, *, must_exist: bool = True
) -> dict:
    """Everything the transcript page shows, with its audit entries."""
    refresh_index(db_session, tracker, settings)
    items = transcripts.load_transcript(tracker, conversation_id)
    summary = transcripts.get_summary(db_session=db_session, conversation_id=conversation_id)
    if must_exist and not items and summary is None:
        raise HTTPException(404, "No such conversation.")
    customer_id = owner_of(db_session=db_session, conversation_id=conversation_id)  # never the latest token
    view_360 = build_360(db_session=db_session, customer_id=customer_id) if customer_id else None
    if view_360 is not None:
        record_customer_reads(db_session=db_session, agent_id=agent.id, customer_ids=[customer_id], view="console")
    _audit(db_session, agent, AuditAction.READ, "conversation", conversation_id, customer_id)
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
    }


@router.get("/conversations/{conversation_id:path}/events")
def events_fragment(
    request: Request, conversation_id: str, agent: ConsoleAgent, tracker: TrackerDep, db_session: SessionDep
):
    """The transcript alone (polled by the live handoff page)."""
    items = transcripts.load_transcript(tracker, conversation_id)
    return render(request, "_transcript.html", {"items": items, "annotate": False, "conversation_id": conversation_id})


@router.get("/conversations/{conversation_id:path}")
def conversation_page(
    request: Request,
    conversation_id: str,
    agent: ConsoleAgent,
    db_session: SessionDep,
    tracker: TrackerDep,
    settings: SettingsDep,
):
    context = conversation_context(db_session, tracker, settings, conversation_id, agent)
    return render(request, "conversation.html", {**context, "annotate": True, "message": request.query_params.get("m")})


def _back(conversation_id: str, message: str | None = None):
    from urllib.parse import quote

    suffix = f"?m={quote(message)}" if message else ""
    return secure(
        RedirectResponse(f"/console/conversations/{quote(conversation_id, safe='')}{suffix}", status_code=303)
    )


@router.post("/notes", dependencies=[CsrfChecked])
def add_note(
    agent: ConsoleAgent,
    db_session: SessionDep,
    conversation_id: Annotated[str, Form(max_length=255)],
    body: Annotated[str, Form(min_length=1, max_length=5000)],
):
    note = annotations.add_note(db_session=db_session, conversation_id=conversation_id, agent_id=agent.id, body=body)
    _audit(
        db_session,
        agent,
        AuditAction.CREATE,
        "conversation_note",
        note.id,
        detail={"conversation": conversation_id[:64]},
    )
    return _back(conversation_id, "Note saved.")


@router.post("/tags", dependencies=[CsrfChecked])
def add_tag(
    agent: ConsoleAgent,
    db_session: SessionDep,
    conversation_id: Annotated[str, Form(max_length=255)],
    tag: Annotated[str, Form(min_length=1, max_length=40, pattern=r"^[\w\- ]+$")],
    remove: Annotated[str, Form(max_length=3)] = "",
):
    if remove:
        annotations.remove_tag(db_session=db_session, conversation_id=conversation_id, tag=tag)
    else:
        annotations.add_tag(db_session=db_session, conversation_id=conversation_id, agent_id=agent.id, tag=tag)
    action = AuditAction.DELETE if remove else AuditAction.CREATE
    _audit(db_session, agent, action, "conversation_tag", conversation_id)
    return _back(conversation_id)


@router.post("/annotations", dependencies=[CsrfChecked])
async def annotate(request: Request, agent: ConsoleAgent, db_session: SessionDep, tracker: TrackerDep):
    """Save the right intent and entities of one user message (its redacted text)."""
    form = await request.form()
    conversation_id = str(form.get("conversation_id") or "")[:255]
    try:
        event_id = int(str(form.get("event_id") or ""))
    except ValueError as error:
        raise HTTPException(422, "event_id must be a number") from error
    message = transcripts.find_user_message(tracker, conversation_id, event_id)
    if message is None:
        raise HTTPException(404, "No such user message in this conversation.")
    entities = []
    for index in range(3):
        name = str(form.get(f"entity_{index}") or "").strip()
        if not name:
            continue
        entities.append(
            {
                "entity": name,
                "start": form.get(f"start_{index}"),
                "end": form.get(f"end_{index}"),
                "value": str(form.get(f"value_{index}") or "")[:200],
            }
        )
    try:
        annotation = annotations.save_annotation(
            db_session=db_session,
            conversation_id=conversation_id,
            event_id=event_id,
            text=message.text,
            predicted_intent=message.intent,
            predicted_confidence=message.confidence,
            intent=str(form.get("intent") or ""),
            entities=entities,
            agent_id=agent.id,
        )
    except InvalidAnnotation as error:
        return _back(conversation_id, f"Not saved: {error}")
    _audit(db_session, agent, AuditAction.CREATE, "nlu_annotation", annotation.id)
    return _back(conversation_id, "Annotation saved.")
