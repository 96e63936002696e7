"""Live handoff: the queue, claiming, replying, notes, status, transfer, handing back (then
the CSAT question). The handoff page works with plain forms; its script sends the same forms
with `Accept: application/json` and gets JSON back instead of a redirect, so nothing reloads."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm import Session

from crm_backend.agents.models import Agent
from crm_backend.agents.service import get_agent_or_raise, list_agents
from crm_backend.annotations import service as annotations
from crm_backend.audit.service import AuditAction, audit
from crm_backend.console.auth import ConsoleAgent, CsrfChecked
from crm_backend.console.deps import RasaDep, TrackerDep
from crm_backend.console.render import render, templates
from crm_backend.console.stream import event_stream
from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.core.errors import Conflict, NotFound, Unavailable
from crm_backend.customers.models import Customer
from crm_backend.desk import canned, inbox, linking
from crm_backend.desk.sla import SlaPolicy, sla_state
from crm_backend.desk.thread import last_ids, thread
from crm_backend.handoff import service
from crm_backend.handoff.models import Handoff, HandoffStatus
from crm_backend.transcripts.review import conversation_review

router = APIRouter()


def _to(handoff_id: int | None = None, message: str | None = None):
    path = f"/console/handoffs/{handoff_id}" if handoff_id else "/console/handoffs"
    return RedirectResponse(path + (f"?m={quote(message)}" if message else ""), status_code=303)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _answer(request: Request, handoff_id: int | None, message: str | None = None, *, error: int = 0, **extra):
    """JSON for the page's script (`error` the status of a refusal), else a redirect."""
    if _wants_json(request):
        return JSONResponse({"ok": not error, "message": message, **extra}, status_code=error or 200)
    return _to(handoff_id, message)


@router.get("/handoffs")
def queue_page(request: Request, agent: ConsoleAgent, db_session: SessionDep):
    audit(db_session, agent, AuditAction.READ, "handoff_queue")
    return render(
        request,
        "handoffs.html",
        {
            "queued": service.list_handoffs(db_session=db_session, status=HandoffStatus.QUEUED),
            "active": service.list_handoffs(db_session=db_session, status=HandoffStatus.ACTIVE),
            "load": service.agent_load(db_session=db_session),
            "stats": service.queue_stats(db_session=db_session),
            "wait": service.queue_wait_seconds,
            "message": request.query_params.get("m"),
        },
    )


@router.get("/handoffs/{handoff_id}")
def handoff_page(
    request: Request,
    handoff_id: int,
    agent: ConsoleAgent,
    db_session: SessionDep,
    tracker: TrackerDep,
    settings: SettingsDep,
):
    handoff = service.get_handoff_or_raise(db_session=db_session, handoff_id=handoff_id)
    context = conversation_review(
        db_session=db_session,
        tracker=tracker,
        secret=settings.customer_token_secret.get_secret_value(),
        conversation_id=handoff.conversation_id,
        agent=agent,
        must_exist=False,
    )
    items = thread(db_session=db_session, tracker=tracker, conversation_id=handoff.conversation_id)
    last_event, last_note = last_ids(items)
    inbox.mark_read(db_session=db_session, handoff=handoff, agent=agent, last_event_id=last_event)
    customer = db_session.get(Customer, handoff.customer_id) if handoff.customer_id else None
    replies = [
        (r, canned.fill(r.body, customer=customer, agent=agent)) for r in canned.list_replies(db_session=db_session)
    ]
    return render(
        request,
        "handoff.html",
        {
            **context,
            "items": items,
            "last_event": last_event,
            "last_note": last_note,
            "handoff": handoff,
            "customer": customer,
            "canned": replies,
            "colleagues": [
                a for a in list_agents(db_session=db_session) if a.active and a.role and a.id != handoff.agent_id
            ],
            "sla": sla_state(handoff, SlaPolicy.from_settings(settings)),
            "annotate": False,
            "queue_seconds": service.queue_wait_seconds(handoff),
            "message": request.query_params.get("m"),
        },
    )


@router.get("/handoffs/{handoff_id}/stream")
def handoff_stream(
    request: Request,
    handoff_id: int,
    agent: ConsoleAgent,
    db_session: SessionDep,
    tracker: TrackerDep,
    settings: SettingsDep,
    after: int = 0,
    notes_after: int = 0,
):
    """`items` (the thread's new messages and notes, as HTML) and `handoff` (its status, assignee)."""
    handoff = service.get_handoff_or_raise(db_session=db_session, handoff_id=handoff_id)
    conversation_id, agent_id = handoff.conversation_id, agent.id
    seen: dict = {"event": after, "note": notes_after, "state": None}

    def check(session: Session) -> list[tuple[str, object]]:
        events: list[tuple[str, object]] = []
        items = thread(
            db_session=session,
            tracker=tracker,
            conversation_id=conversation_id,
            after_event=seen["event"],
            after_note=seen["note"],
        )
        current = session.get(Handoff, handoff_id)
        if items:
            last_event, last_note = last_ids(items)
            seen["event"], seen["note"] = max(seen["event"], last_event), max(seen["note"], last_note)
            me = session.get(Agent, agent_id)
            inbox.mark_read(db_session=session, handoff=current, agent=me, last_event_id=seen["event"])
            html = templates.get_template("_thread_items.html").render(items=items, annotate=False)
            events.append(("items", {"html": html}))
        state = {"status": current.status, "inbox_status": current.inbox_status, "assignee_id": current.agent_id}
        if state != seen["state"]:
            seen["state"] = state
            events.append(("handoff", state))
        return events

    return event_stream(request, check, interval=settings.inbox_poll_seconds)


@router.post("/handoffs/{handoff_id}/claim", dependencies=[CsrfChecked])
def claim(request: Request, handoff_id: int, agent: ConsoleAgent, db_session: SessionDep):
    handoff = service.get_handoff_or_raise(db_session=db_session, handoff_id=handoff_id)
    try:
        service.claim(db_session=db_session, handoff=handoff, agent=agent)
    except Conflict as error:
        return _answer(request, None, error.message, error=409)
    detail = {"status": "active"}
    audit(db_session, agent, AuditAction.UPDATE, "handoff", handoff.id, customer_id=handoff.customer_id, detail=detail)
    return _to(handoff.id)


@router.post("/handoffs/{handoff_id}/reply", dependencies=[CsrfChecked])
def reply(
    request: Request,
    handoff_id: int,
    agent: ConsoleAgent,
    db_session: SessionDep,
    rasa: RasaDep,
    text: Annotated[str, Form(min_length=1, max_length=4000)],
):
    """Store the agent's message in Rasa's tracker (pushed live on socket.io; Telegram: outbox)."""
    handoff = service.get_handoff_or_raise(db_session=db_session, handoff_id=handoff_id)
    try:
        service.reply(db_session=db_session, rasa=rasa, handoff=handoff, agent=agent, text=text)
    except Conflict as error:
        return _answer(request, handoff.id, error.message, error=409)
    except Unavailable as error:
        return _answer(request, handoff.id, error.message, error=503)
    detail = {"reply_chars": len(text.strip())}
    audit(db_session, agent, AuditAction.CREATE, "handoff", handoff.id, customer_id=handoff.customer_id, detail=detail)
    return _answer(request, handoff.id)


@router.post("/handoffs/{handoff_id}/note", dependencies=[CsrfChecked])
def note(
    request: Request,
    handoff_id: int,
    agent: ConsoleAgent,
    db_session: SessionDep,
    body: Annotated[str, Form(min_length=1, max_length=5000)],
):
    """An internal note in the thread: stored in the CRM only, never sent to the customer."""
    handoff = service.get_handoff_or_raise(db_session=db_session, handoff_id=handoff_id)
    added = annotations.add_note(
        db_session=db_session, conversation_id=handoff.conversation_id, agent_id=agent.id, body=body.strip()
    )
    audit(db_session, agent, AuditAction.CREATE, "conversation_note", added.id, detail={"handoff": handoff.id})
    return _answer(request, handoff.id, "Note saved.", note_id=added.id)


@router.post("/handoffs/{handoff_id}/status", dependencies=[CsrfChecked])
def set_status(
    request: Request,
    handoff_id: int,
    agent: ConsoleAgent,
    db_session: SessionDep,
    status: Annotated[str, Form(max_length=20)],
):
    """Open, or pending (waiting for the customer)."""
    handoff = service.get_handoff_or_raise(db_session=db_session, handoff_id=handoff_id)
    try:
        service.set_inbox_status(db_session=db_session, handoff=handoff, status=status)
    except Conflict as error:
        return _answer(request, handoff.id, error.message, error=409)
    detail = {"inbox_status": handoff.inbox_status}
    audit(db_session, agent, AuditAction.UPDATE, "handoff", handoff.id, customer_id=handoff.customer_id, detail=detail)
    return _answer(request, handoff.id, f"Marked {handoff.inbox_status}.")


@router.post("/handoffs/{handoff_id}/transfer", dependencies=[CsrfChecked])
def transfer(
    request: Request,
    handoff_id: int,
    agent: ConsoleAgent,
    db_session: SessionDep,
    to_agent: Annotated[int, Form(ge=1)],
):
    """Give the conversation to a colleague (audited with both agents)."""
    handoff = service.get_handoff_or_raise(db_session=db_session, handoff_id=handoff_id)
    try:
        colleague = get_agent_or_raise(db_session=db_session, agent_id=to_agent)
        previous = handoff.agent_id
        service.transfer(db_session=db_session, handoff=handoff, by=agent, to=colleague)
    except (Conflict, NotFound) as error:
        return _answer(request, handoff.id, error.message, error=409)
    detail = {"transfer_from": previous, "transfer_to": colleague.id}
    audit(db_session, agent, AuditAction.UPDATE, "handoff", handoff.id, customer_id=handoff.customer_id, detail=detail)
    return _answer(request, handoff.id, f"Transferred to {colleague.name}.")


@router.post("/handoffs/{handoff_id}/handback", dependencies=[CsrfChecked])
def hand_back(handoff_id: int, agent: ConsoleAgent, db_session: SessionDep, rasa: RasaDep):
    """Resume the bot, ask the customer for a rating, and close the handoff's ticket."""
    handoff = service.get_handoff_or_raise(db_session=db_session, handoff_id=handoff_id)
    try:
        closed = linking.hand_back(db_session=db_session, rasa=rasa, handoff=handoff, agent=agent)
    except (Conflict, Unavailable) as error:
        return _to(handoff.id, error.message)
    detail = {"status": "closed", "tickets_closed": [t.id for t in closed]}
    audit(db_session, agent, AuditAction.UPDATE, "handoff", handoff.id, customer_id=handoff.customer_id, detail=detail)
    return _to(None, "Handed back to the bot; the customer was asked for a rating.")
