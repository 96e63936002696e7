"""GET/POST /console/login, POST /console/logout."""

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from crm_backend.agents.service import authenticate, end_session, start_session
from crm_backend.api.deps import LoginThrottleDep
from crm_backend.audit.service import AuditAction, record_agent_action
from crm_backend.console.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    ConsoleSession,
    CsrfChecked,
    new_login_csrf,
    set_session_cookie,
)
from crm_backend.console.render import render, secure
from crm_backend.core.deps import SessionDep, SettingsDep

logger = logging.getLogger(__name__)
router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only console paths: an attacker's link must not send the agent elsewhere after login."""
    if target and target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/conversations"


def _login_page(request: Request, settings, *, error: str | None = None, next_url: str = "", status: int = 200):
    token = new_login_csrf()
    response = render(
        request, "login.html", {"login_csrf": token, "error": error, "next": next_url}, status_code=status
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        secure=settings.console_secure_cookie,
        samesite="strict",
        path="/console",
    )
    return response


@router.get("/login")
def login_page(request: Request, settings: SettingsDep, next: str = ""):
    return _login_page(request, settings, next_url=_safe_next(next))


@router.post("/login")
def login(
    request: Request,
    settings: SettingsDep,
    db_session: SessionDep,
    throttle: LoginThrottleDep,
    email: Annotated[str, Form(max_length=255)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
):
    expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _login_page(request, settings, error="The form expired; please try again.", next_url=next, status=403)
    email = email.strip().lower()
    if throttle.is_blocked(email):
        return _login_page(request, settings, error="Too many failed logins; try again later.", status=429)
    agent = authenticate(db_session=db_session, email=email, password=password)
    if agent is None or not agent.active:
        throttle.record_failure(email)
        return _login_page(request, settings, error="The email or password is wrong.", next_url=next, status=401)
    throttle.reset(email)
    token, _session = start_session(db_session=db_session, agent=agent, ttl_seconds=settings.agent_session_ttl_seconds)
    record_agent_action(
        db_session=db_session,
        agent_id=agent.id,
        action=AuditAction.CREATE,
        entity_type="console_session",
        entity_id=agent.id,
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(
        response, token, max_age=settings.agent_session_ttl_seconds, secure=settings.console_secure_cookie
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
    return secure(response)


@router.post("/logout", dependencies=[CsrfChecked])
def logout(session: ConsoleSession, db_session: SessionDep):
    record_agent_action(
        db_session=db_session,
        agent_id=session.agent_id,
        action=AuditAction.DELETE,
        entity_type="console_session",
        entity_id=session.agent_id,
    )
    end_session(db_session=db_session, session=session)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return secure(response)
