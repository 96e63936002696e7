"""Logging in and out (/api/auth) and managing agents (/api/agents, administrators only)."""

import logging

from fastapi import APIRouter, Depends, status

from crm_backend.agents.models import Agent, Role
from crm_backend.agents.schemas import AgentCreate, AgentList, AgentRead, AgentUpdate, LoginRequest, TokenResponse
from crm_backend.agents.service import (
    AgentExists,
    authenticate,
    count_admins,
    create_agent,
    end_session,
    get_agent,
    list_agents,
    start_session,
    update_agent,
)
from crm_backend.api.deps import (
    AuthenticatedAgent,
    CurrentAdmin,
    CurrentSession,
    LoginThrottleDep,
    get_current_admin,
)
from crm_backend.api.errors import error_responses
from crm_backend.audit.service import AuditAction, record_agent_action
from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.core.errors import APIError
from crm_backend.core.types import IdPath

logger = logging.getLogger(__name__)

auth_router = APIRouter(prefix="/auth", tags=["auth"])
agents_router = APIRouter(
    prefix="/agents",
    tags=["agents"],
    dependencies=[Depends(get_current_admin)],
    responses=error_responses(401, 403),
)


@auth_router.post(
    "/login",
    response_model=TokenResponse,
    responses=error_responses(401, 422, 429),
)
def login(
    body: LoginRequest, db_session: SessionDep, settings: SettingsDep, throttle: LoginThrottleDep
) -> TokenResponse:
    """Exchange an email and password for a session token.

    After `login_max_failures` failed attempts for one email within
    `login_failure_window_seconds`, further attempts get 429 until the window has passed
    (counted in this process's memory).
    """
    if throttle.is_blocked(body.email):
        raise APIError(429, "too_many_attempts", "Too many failed logins; try again later.")
    agent = authenticate(db_session=db_session, email=body.email, password=body.password)
    if agent is None or not agent.active:
        throttle.record_failure(body.email)
        logger.info("Failed login for an agent account")
        raise APIError(401, "invalid_credentials", "The email or password is wrong, or the account is disabled.")
    throttle.reset(body.email)
    token, session = start_session(db_session=db_session, agent=agent, ttl_seconds=settings.agent_session_ttl_seconds)
    return TokenResponse(access_token=token, expires_at=session.expires_at)


@auth_router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401))
def logout(session: CurrentSession, db_session: SessionDep) -> None:
    """End the session of the presented token."""
    end_session(db_session=db_session, session=session)


@auth_router.get("/me", response_model=AgentRead, responses=error_responses(401))
def read_me(agent: AuthenticatedAgent) -> Agent:
    """The logged-in agent (also answered for accounts without a role)."""
    return agent


def _audit_agent_change(db_session, admin: Agent, action: AuditAction, agent: Agent, fields: list[str]) -> None:
    record_agent_action(
        db_session=db_session,
        agent_id=admin.id,
        action=action,
        entity_type="agent",
        entity_id=agent.id,
        detail={"fields": sorted(fields)},
    )


@agents_router.post(
    "", response_model=AgentRead, status_code=status.HTTP_201_CREATED, responses=error_responses(409, 422)
)
def create(body: AgentCreate, admin: CurrentAdmin, db_session: SessionDep) -> Agent:
    """Create an agent account."""
    try:
        agent = create_agent(
            db_session=db_session,
            email=body.email,
            name=body.name,
            password=body.password,
            role=body.role,
            active=body.active,
        )
    except AgentExists as error:
        raise APIError(409, "agent_exists", "An agent with this email already exists.") from error
    _audit_agent_change(db_session, admin, AuditAction.CREATE, agent, ["email", "name", "role", "active"])
    return agent


@agents_router.get("", response_model=AgentList)
def list_all(_admin: CurrentAdmin, db_session: SessionDep) -> AgentList:
    """Every agent account."""
    return AgentList(items=[AgentRead.model_validate(agent) for agent in list_agents(db_session=db_session)])


@agents_router.patch("/{agent_id}", response_model=AgentRead, responses=error_responses(404, 409, 422))
def update(agent_id: IdPath, body: AgentUpdate, admin: CurrentAdmin, db_session: SessionDep) -> Agent:
    """Change an agent's name, role, active flag or password; `"role": null` removes the role."""
    agent = get_agent(db_session=db_session, agent_id=agent_id)
    if agent is None:
        raise APIError(404, "agent_not_found", "No such agent.")
    # Only `role` may be set to null; a null elsewhere means "leave as is".
    changes = {
        field: getattr(body, field)
        for field in body.model_fields_set
        if field == "role" or getattr(body, field) is not None
    }
    loses_admin = agent.role == Role.ADMIN and (
        ("role" in changes and changes["role"] != Role.ADMIN) or changes.get("active") is False
    )
    if loses_admin and count_admins(db_session=db_session) <= 1:
        raise APIError(409, "last_admin", "The last active administrator cannot be demoted or disabled.")
    update_agent(db_session=db_session, agent=agent, changes=changes)
    _audit_agent_change(db_session, admin, AuditAction.UPDATE, agent, list(changes))
    return agent
