"""Live handoff: the queue, claiming, replying, handing back (then the CSAT question)."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from crm_backend.audit.service import AuditAction, audit
from crm_backend.console.auth import ConsoleAgent, CsrfChecked
from crm_backend.console.deps import RasaDep, TrackerDep
from crm_backend.console.render import render
from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.core.errors import Conflict, Unavailable
from crm_backend.handoff import service
from crm_backend.handoff.models import HandoffStatus
from crm_backend.transcripts.review import conversation_review

router = APIRouter()


def _to(handoff_id: int | None = None, message: str | None = None):
    path = f"/console/handoffs/{handoff_id}" if handoff_id else "/console/handoffs"
    return RedirectResponse(path + (f"?m={quote(message)}" if message else ""), status_code=303)


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
    return render(
        request,
        "handoff.html",
        {
            **context,
            "handoff": handoff,
            "annotate": False,
            "queue_seconds": service.queue_wait_seconds(handoff),
            "message": request.query_params.get("m"),
        },
    )


@router.post("/handoffs/{handoff_id}/claim", dependencies=[CsrfChecked])
def claim(handoff_id: int, agent: ConsoleAgent, db_session: SessionDep):
    handoff = service.get_handoff_or_raise(db_session=db_session, handoff_id=handoff_id)
    try:
        service.claim(db_session=db_session, handoff=handoff, agent=agent)
    except Conflict as error:
        return _to(None, error.message)
    detail = {"status": "active"}
    audit(db_session, agent, AuditAction.UPDATE, "handoff", handoff.id, customer_id=handoff.customer_id, detail=detail)
    return _to(handoff.id)


@router.post("/handoffs/{handoff_id}/reply", dependencies=[CsrfChecked])
def reply(
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
    except (Conflict, Unavailable) as error:
        return _to(handoff.id, error.message)
    detail = {"reply_chars": len(text.strip())}
    audit(db_session, agent, AuditAction.CREATE, "handoff", handoff.id, customer_id=handoff.customer_id, detail=detail)
    return _to(handoff.id)


@router.post("/handoffs/{handoff_id}/handback", dependencies=[CsrfChecked])
def hand_back(handoff_id: int, agent: ConsoleAgent, db_session: SessionDep, rasa: RasaDep):
    """Resume the bot and ask the customer for a rating."""
    handoff = service.get_handoff_or_raise(db_session=db_session, handoff_id=handoff_id)
    try:
        service.hand_back(db_session=db_session, rasa=rasa, handoff=handoff, agent=agent)
    except (Conflict, Unavailable) as error:
        return _to(handoff.id, error.message)
    detail = {"status": "closed"}
    audit(db_session, agent, AuditAction.UPDATE, "handoff", handoff.id, customer_id=handoff.customer_id, detail=detail)
    return _to(None, "Handed back to the bot; the customer was asked for a rating.")
