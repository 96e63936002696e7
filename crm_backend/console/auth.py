"""Console login: an HttpOnly, Secure, SameSite=Strict session cookie and CSRF tokens.

The cookie holds the same opaque session token as /api's bearer tokens (agents service):
it expires with the session (`agent_session_ttl_seconds`). Every POST carries a CSRF
token derived from the session token (HMAC), so it needs no storage and dies with the
session. The login form has its own double-submit token.
"""

import hashlib
import hmac
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from crm_backend.agents.models import Agent, AgentSession, Role
from crm_backend.agents.service import find_live_session
from crm_backend.core.deps import SessionDep

SESSION_COOKIE = "concierge_console"
LOGIN_CSRF_COOKIE = "concierge_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def csrf_for(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"console-csrf", hashlib.sha256).hexdigest()


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def redirect_to_login(request: Request) -> HTTPException:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return HTTPException(303, "Log in to the console.", headers={"Location": f"/console/login?next={quote(target)}"})


def set_session_cookie(response, token: str, *, max_age: int, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, secure=secure, samesite="strict", path="/console"
    )


def get_console_session(request: Request, db_session: SessionDep) -> AgentSession:
    """The live session of the cookie; none or expired → redirect to the login page."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 512:
        raise redirect_to_login(request)
    session = find_live_session(db_session=db_session, token=token)
    if session is None:
        raise redirect_to_login(request)
    request.state.csrf_token = csrf_for(token)
    request.state.session_token = token
    return session


ConsoleSession = Annotated[AgentSession, Depends(get_console_session)]


def get_console_agent(request: Request, session: ConsoleSession) -> Agent:
    agent = session.agent
    if agent.role not in (Role.AGENT, Role.ADMIN):
        raise HTTPException(403, "This account has no role; ask an administrator.")
    request.state.console_agent = agent
    return agent


ConsoleAgent = Annotated[Agent, Depends(get_console_agent)]


def get_console_admin(agent: ConsoleAgent) -> Agent:
    if agent.role != Role.ADMIN:
        raise HTTPException(403, "Only administrators may do this.")
    return agent


ConsoleAdmin = Annotated[Agent, Depends(get_console_admin)]


async def require_csrf(request: Request, _session: ConsoleSession) -> None:
    """Every state-changing request carries the session's CSRF token (form field or header)."""
    presented = request.headers.get(CSRF_HEADER)
    if presented is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        presented = value if isinstance(value, str) else None
    if not presented or not hmac.compare_digest(presented, request.state.csrf_token):
        raise HTTPException(403, "The form has expired or did not come from the console; reload the page.")


CsrfChecked = Depends(require_csrf)
