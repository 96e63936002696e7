"""Logging in and out of /api (/api/auth)."""

from fastapi import APIRouter, Request, status

from crm_backend.agents.models import Agent
from crm_backend.agents.schemas import AgentRead, LoginRequest, TokenResponse
from crm_backend.agents.service import InvalidCredentials, LoginThrottled, end_session
from crm_backend.agents.service import login as agent_login
from crm_backend.api.deps import AuthenticatedAgent, CurrentSession, LoginGuardDep
from crm_backend.api.errors import error_responses
from crm_backend.core.deps import SessionDep, SettingsDep, client_ip

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=TokenResponse, responses=error_responses(401, 422, 429))
def login(
    body: LoginRequest, request: Request, db_session: SessionDep, settings: SettingsDep, guard: LoginGuardDep
) -> TokenResponse:
    """Exchange an email and password for a session token.

    After `login_max_failures` failed attempts for one email from one address (or
    `login_max_failures_per_ip` from one address for any emails), that address waits before
    each further attempt, twice as long each time (429 with `Retry-After`). Other addresses
    are not affected, so the account's owner can still log in.
    """
    try:
        result = agent_login(
            db_session=db_session,
            guard=guard,
            email=body.email,
            password=body.password,
            client_ip=client_ip(request),
            ttl_seconds=settings.agent_session_ttl_seconds,
            via="api",
        )
    except (InvalidCredentials, LoginThrottled):
        db_session.commit()  # keep the audit entry of the refusal
        raise
    return TokenResponse(access_token=result.token, expires_at=result.session.expires_at)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401))
def logout(session: CurrentSession, db_session: SessionDep) -> None:
    """End the session of the presented token."""
    end_session(db_session=db_session, session=session)


@router.get("/me", response_model=AgentRead, responses=error_responses(401))
def read_me(agent: AuthenticatedAgent) -> Agent:
    """The logged-in agent (also answered for accounts without a role)."""
    return agent
