"""GET/POST /console/login, POST /console/logout."""

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from crm_backend.agents import service as agents
from crm_backend.audit.service import AuditAction, audit
from crm_backend.console.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    ConsoleSession,
    CsrfChecked,
    new_login_csrf,
    set_session_cookie,
)
from crm_backend.console.deps import LoginGuardDep
from crm_backend.console.render import render
from crm_backend.core.deps import SessionDep, SettingsDep, client_ip

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
    guard: LoginGuardDep,
    email: Annotated[str, Form(max_length=255)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
):
    expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _login_page(request, settings, error="The form expired; please try again.", next_url=next, status=403)
    try:
        result = agents.login(
            db_session=db_session,
            guard=guard,
            email=email,
            password=password,
            client_ip=client_ip(request),
            ttl_seconds=settings.agent_session_ttl_seconds,
            via="console",
        )
    except agents.LoginThrottled as error:  # the page is an answer: the refusal's audit entry is committed
        response = _login_page(request, settings, error="Too many failed logins; try again later.", status=429)
        response.headers["Retry-After"] = str(max(1, round(error.retry_after)))
        return response
    except agents.InvalidCredentials:
        return _login_page(request, settings, error="The email or password is wrong.", next_url=next, status=401)
    token = result.token
    audit(db_session, result.agent, AuditAction.CREATE, "console_session", result.agent.id)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(
        response, token, max_age=settings.agent_session_ttl_seconds, secure=settings.console_secure_cookie
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout(session: ConsoleSession, db_session: SessionDep):
    audit(db_session, session.agent, AuditAction.DELETE, "console_session", session.agent_id)
    agents.end_session(db_session=db_session, session=session)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response
