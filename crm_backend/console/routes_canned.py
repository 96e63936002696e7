"""Canned replies: every agent may read them (and insert them on a handoff page); only
administrators add, change or delete them. Every change carries the CSRF token and is audited."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from crm_backend.audit.service import AuditAction, audit
from crm_backend.console.auth import ConsoleAdmin, ConsoleAgent, CsrfChecked
from crm_backend.console.render import render
from crm_backend.core.deps import SessionDep
from crm_backend.core.errors import Conflict
from crm_backend.desk import canned

router = APIRouter()
Title = Annotated[str, Form(min_length=1, max_length=80)]
Body = Annotated[str, Form(min_length=1, max_length=4000)]


def _back(message: str) -> RedirectResponse:
    return RedirectResponse(f"/console/canned?m={quote(message)}", status_code=303)


@router.get("/canned")
def canned_page(request: Request, agent: ConsoleAgent, db_session: SessionDep):
    return render(
        request,
        "canned.html",
        {
            "replies": canned.list_replies(db_session=db_session),
            "variables": canned.VARIABLES,
            "message": request.query_params.get("m"),
        },
    )


@router.post("/canned", dependencies=[CsrfChecked])
def create(admin: ConsoleAdmin, db_session: SessionDep, title: Title, body: Body):
    try:
        reply = canned.save_reply(db_session=db_session, title=title, body=body, agent=admin)
    except Conflict as error:
        return _back(error.message)
    audit(db_session, admin, AuditAction.CREATE, "canned_reply", reply.id)
    return _back(f"Saved “{reply.title}”.")


@router.post("/canned/{reply_id}", dependencies=[CsrfChecked])
def update(reply_id: int, admin: ConsoleAdmin, db_session: SessionDep, title: Title, body: Body):
    reply = canned.get_reply_or_raise(db_session=db_session, reply_id=reply_id)
    try:
        canned.save_reply(db_session=db_session, title=title, body=body, agent=admin, reply=reply)
    except Conflict as error:
        return _back(error.message)
    audit(db_session, admin, AuditAction.UPDATE, "canned_reply", reply.id)
    return _back(f"Saved “{reply.title}”.")


@router.post("/canned/{reply_id}/delete", dependencies=[CsrfChecked])
def delete(reply_id: int, admin: ConsoleAdmin, db_session: SessionDep):
    reply = canned.get_reply_or_raise(db_session=db_session, reply_id=reply_id)
    canned.delete_reply(db_session=db_session, reply=reply)
    audit(db_session, admin, AuditAction.DELETE, "canned_reply", reply_id)
    return _back("Deleted.")
