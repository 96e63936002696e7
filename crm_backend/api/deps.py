"""Who is calling /api: an agent holding a live session token, and what their role allows."""

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from crm_backend.agents.models import Agent, AgentSession, Role
from crm_backend.agents.security import LoginGuard
from crm_backend.agents.service import find_live_session
from crm_backend.core.deps import SessionDep, from_state
from crm_backend.core.errors import APIError

# auto_error=False: a missing header gets our own 401 shape instead of FastAPI's 403.
_bearer = HTTPBearer(auto_error=False, description="A session token from POST /api/auth/login.")


def _unauthorized() -> APIError:
    return APIError(401, "not_authenticated", "A valid agent session token is required.")


def get_agent_session(
    db_session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AgentSession:
    """The live session behind the bearer token; unknown, expired or inactive → 401."""
    if credentials is None or not credentials.credentials or len(credentials.credentials) > 512:
        raise _unauthorized()
    session = find_live_session(db_session=db_session, token=credentials.credentials)
    if session is None:
        raise _unauthorized()
    return session


CurrentSession = Annotated[AgentSession, Depends(get_agent_session)]


def get_authenticated_agent(session: CurrentSession) -> Agent:
    """Any logged-in agent, even one without a role (for /api/auth/me and logout)."""
    return session.agent


AuthenticatedAgent = Annotated[Agent, Depends(get_authenticated_agent)]


def get_current_agent(agent: AuthenticatedAgent) -> Agent:
    """A logged-in agent with a role; an account without one may do nothing else."""
    if agent.role not in (Role.AGENT, Role.ADMIN):
        raise APIError(403, "forbidden", "This account has no role; ask an administrator.")
    return agent


CurrentAgent = Annotated[Agent, Depends(get_current_agent)]


def get_current_admin(agent: CurrentAgent) -> Agent:
    if agent.role != Role.ADMIN:
        raise APIError(403, "forbidden", "Only administrators may do this.")
    return agent


CurrentAdmin = Annotated[Agent, Depends(get_current_admin)]


# Built once by `create_app`: the same guard as the console's login.
LoginGuardDep = Annotated[LoginGuard, Depends(from_state("login_guard"))]
