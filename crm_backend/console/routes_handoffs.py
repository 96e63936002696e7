"""Live handoff: the queue, claiming, replying, handing back (then the CSAT question)."""

import logging
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from crm_backend.audit.service import AuditAction, record_agent_action
from crm_backend.console.auth import ConsoleAgent, CsrfChecked
from crm_backend.console.deps import RasaDep, TrackerDep
from crm_backend.console.render import render, secure
from crm_backend.console.routes_conversations import conversation_context
from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.handoff import service
from crm_backend.handoff.models import Handoff, HandoffStatus
from crm_backend.handoff.rasa import RasaUnavailable

logger = logging.getLogger(__name__)
router = APIRouter()
CSAT_RESPONSE = "utter_ask_csat"


def _audit(db_session, agent, action, handoff: Handoff, detail: dict | None = None) -> None:
    record_agent_action(
        db_session=db_session,
        agent_id=agent.id,
        action=action,
        entity_type="handoff",
        entity_id=handoff.id,
        customer_id=handoff.customer_id,
        detail=detail,
    )


def _handoff_or_404(db_session, handoff_id: int) -> Handoff:
    handoff = service.get_handoff(db_session=db_session, handoff_id=handoff_id)
    if handoff is None:
        raise HTTPException(404, "No such handoff.")
    return handoff


def _to(handoff_id: int | None = None, message: str | None = None):
    path = f"/console/handoffs/{handoff_id}" if handoff_id else "/console/handoffs"
    return secure(RedirectResponse(path + (f"?m={quote(message)}" if message else ""), status_code=303))


@router.get("/handoffs")
def queue_page(request: Request, agent: ConsoleAgent, db_session: SessionDep):
    record_agent_action(
        db_session=db_session,
        agent_id=agent.id,
        action=AuditAction.READ,
        entity_type="handoff_queue",
    )
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
    handoff = _handoff_or_404(db_session, handoff_id)
    context = conversation_context(db_session, tracker, settings, handoff.conversation_id, agent, must_exist=False)
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
    handoff = _handoff_or_404(db_session, handoff_id)
    try:
        service.claim(db_session=db_session, handoff=handoff, agent=agent)
    except service.HandoffConflict as error:
        return _to(None, str(error))
    _audit(db_session, agent, AuditAction.UPDATE, handoff, {"status": "active"})
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
    handoff = _handoff_or_404(db_session, handoff_id)
    try:
        service.check_serving(handoff, agent)
    except service.HandoffConflict as error:
        return _to(handoff.id, str(error))
    text = text.strip()
    try:
        rasa.send_agent_message(
            handoff.conversation_id, text, channel=handoff.channel, agent_id=agent.id, agent_name=agent.name
        )
    except RasaUnavailable:
        logger.exception("Could not store an agent's reply in Rasa")
        return _to(handoff.id, "Rasa did not accept the message; it was not sent. Try again.")
    service.queue_outbound(db_session=db_session, handoff=handoff, text=text, agent_id=agent.id)
    _audit(db_session, agent, AuditAction.CREATE, handoff, {"reply_chars": len(text)})
    return _to(handoff.id)


@router.post("/handoffs/{handoff_id}/handback", dependencies=[CsrfChecked])
def hand_back(handoff_id: int, agent: ConsoleAgent, db_session: SessionDep, rasa: RasaDep):
    """Resume the bot and ask the customer for a rating."""
    handoff = _handoff_or_404(db_session, handoff_id)
    try:
        service.check_serving(handoff, agent)
    except service.HandoffConflict as error:
        return _to(handoff.id, str(error))
    try:
        rasa.resume(handoff.conversation_id)
    except RasaUnavailable:
        logger.exception("Could not resume a conversation in Rasa")
        return _to(handoff.id, "Rasa did not resume the conversation; it is still yours. Try again.")
    service.close(db_session=db_session, handoff=handoff)
    _audit(db_session, agent, AuditAction.UPDATE, handoff, {"status": "closed"})
    try:
        messages = rasa.execute(handoff.conversation_id, CSAT_RESPONSE, channel=handoff.channel)
    except RasaUnavailable:
        logger.exception("Could not ask for a rating after hand back")
        messages = []
    for message in messages:
        if message.get("text"):
            buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict)]
            service.queue_outbound(
                db_session=db_session, handoff=handoff, text=message["text"], agent_id=None, buttons=buttons
            )
    return _to(None, "Handed back to the bot; the customer was asked for a rating.")
