"""Transcript review: the conversation list, one transcript, notes, tags and annotations."""

import logging
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse

from crm_backend.annotations import service as annotations
from crm_backend.annotations.domain import domain_vocabulary
from crm_backend.annotations.service import InvalidAnnotation
from crm_backend.audit.service import AuditAction, audit
from crm_backend.console.auth import ConsoleAgent, CsrfChecked
from crm_backend.console.deps import TrackerDep
from crm_backend.console.render import render
from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.core.errors import Invalid, NotFound
from crm_backend.transcripts import service as transcripts
from crm_backend.transcripts.models import ConversationSummary
from crm_backend.transcripts.review import conversation_review, refresh_index

logger = logging.getLogger(__name__)
router = APIRouter()
ConversationPath = Annotated[str, "conversation id"]


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


@router.get("/")
def home():
    return RedirectResponse("/console/conversations", status_code=303)


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
    refresh_index(db_session=db_session, tracker=tracker, secret=settings.customer_token_secret.get_secret_value())
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
    audit(db_session, agent, AuditAction.READ, "conversation_list", detail={"shown": len(rows)})
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
    context = conversation_review(
        db_session=db_session,
        tracker=tracker,
        secret=settings.customer_token_secret.get_secret_value(),
        conversation_id=conversation_id,
        agent=agent,
    )
    return render(request, "conversation.html", {**context, "annotate": True, "message": request.query_params.get("m")})


def _back(conversation_id: str, message: str | None = None):
    suffix = f"?m={quote(message)}" if message else ""
    return RedirectResponse(f"/console/conversations/{quote(conversation_id, safe='')}{suffix}", status_code=303)


@router.post("/notes", dependencies=[CsrfChecked])
def add_note(
    agent: ConsoleAgent,
    db_session: SessionDep,
    conversation_id: Annotated[str, Form(max_length=255)],
    body: Annotated[str, Form(min_length=1, max_length=5000)],
):
    note = annotations.add_note(db_session=db_session, conversation_id=conversation_id, agent_id=agent.id, body=body)
    audit(
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
    audit(db_session, agent, action, "conversation_tag", conversation_id)
    return _back(conversation_id)


@router.post("/annotations", dependencies=[CsrfChecked])
async def annotate(request: Request, agent: ConsoleAgent, db_session: SessionDep, tracker: TrackerDep):
    """Save the right intent and entities of one user message (its redacted text)."""
    form = await request.form()
    conversation_id = str(form.get("conversation_id") or "")[:255]
    try:
        event_id = int(str(form.get("event_id") or ""))
    except ValueError as error:
        raise Invalid("event_id must be a number") from error
    message = transcripts.find_user_message(tracker, conversation_id, event_id)
    if message is None:
        raise NotFound("No such user message in this conversation.")
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
        return _answer(request, conversation_id, f"Not saved: {error}", error=422)
    audit(db_session, agent, AuditAction.CREATE, "nlu_annotation", annotation.id)
    return _answer(request, conversation_id, "Annotation saved.")


def _answer(request: Request, conversation_id: str, message: str, *, error: int = 0):
    """JSON for the page's script (which keeps the reader's place), else back to the page."""
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"ok": not error, "message": message}, status_code=error or 200)
    return _back(conversation_id, message)
