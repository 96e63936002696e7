"""Agents and their login sessions. Services flush at most; the caller owns the transaction."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from crm_backend.agents.models import Agent, AgentSession, Role
from crm_backend.agents.security import (
    LoginGuard,
    burn_password_check,
    hash_password,
    new_session_token,
    token_digest,
    verify_password,
)
from crm_backend.audit.service import ActorType, AuditAction, record
from crm_backend.core.errors import Conflict, NotFound, Throttled, Unauthenticated


class AgentExists(Conflict):
    """Another agent already uses this email."""

    code = "agent_exists"
    message = "An agent with this email already exists."


class LastAdmin(Conflict):
    code = "last_admin"
    message = "The last active administrator cannot be demoted or disabled."


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"
    message = "The email or password is wrong, or the account is disabled."


class LoginThrottled(Throttled):
    message = "Too many failed logins; try again later."


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_agent(*, db_session: Session, agent_id: int) -> Agent | None:
    return db_session.get(Agent, agent_id)


def get_agent_by_email(*, db_session: Session, email: str) -> Agent | None:
    statement = select(Agent).where(Agent.email == normalise_email(email))
    return db_session.scalars(statement).one_or_none()


def list_agents(*, db_session: Session) -> list[Agent]:
    return list(db_session.scalars(select(Agent).order_by(Agent.id)))


def create_agent(
    *, db_session: Session, email: str, name: str, password: str, role: Role | None, active: bool = True
) -> Agent:
    """A new agent with a hashed password; raises `AgentExists` for a taken email."""
    if get_agent_by_email(db_session=db_session, email=email) is not None:
        raise AgentExists()
    agent = Agent(
        email=normalise_email(email),
        name=name,
        password_hash=hash_password(password),
        role=None if role is None else Role(role).value,
        active=active,
        created_at=datetime.now(UTC),
    )
    db_session.add(agent)
    db_session.flush()
    return agent


def update_agent(
    *,
    db_session: Session,
    agent: Agent,
    changes: dict,
) -> Agent:
    """Apply `changes` (any of name, role, active, password); a deactivated agent is logged out."""
    if "name" in changes:
        agent.name = changes["name"]
    if "role" in changes:
        agent.role = None if changes["role"] is None else Role(changes["role"]).value
    if "password" in changes:
        agent.password_hash = hash_password(changes["password"])
    if "active" in changes:
        agent.active = bool(changes["active"])
    if not agent.active or "password" in changes:
        end_all_sessions(db_session=db_session, agent_id=agent.id)
    db_session.flush()
    return agent


def authenticate(*, db_session: Session, email: str, password: str) -> Agent | None:
    """The agent with this email and password, or None. Unknown emails cost the same time."""
    agent = get_agent_by_email(db_session=db_session, email=email)
    if agent is None:
        burn_password_check(password)
        return None
    return agent if verify_password(password, agent.password_hash) else None


@dataclass(frozen=True)
class Login:
    token: str
    session: AgentSession
    agent: Agent


def login(
    *,
    db_session: Session,
    guard: LoginGuard,
    email: str,
    password: str,
    client_ip: str,
    ttl_seconds: int,
    via: str,
) -> Login:
    """The one login of the console and of /api: throttled per address, audited.

    Raises `LoginThrottled` while this address must wait and `InvalidCredentials` for a wrong
    password, an unknown email or a disabled account. Failures and throttles are written to
    the audit trail before raising: the caller commits them although the request fails.
    """
    email = normalise_email(email)
    detail = {"via": via, "ip": client_ip[:64]}
    wait = guard.wait_seconds(email, client_ip)
    if wait > 0:
        known = get_agent_by_email(db_session=db_session, email=email)
        _audit_login(db_session, AuditAction.LOGIN_THROTTLED, known, detail)
        raise LoginThrottled(retry_after=wait)
    agent = authenticate(db_session=db_session, email=email, password=password)
    if agent is None or not agent.active:
        failures = guard.record_failure(email, client_ip)
        known = agent or get_agent_by_email(db_session=db_session, email=email)
        _audit_login(db_session, AuditAction.LOGIN_FAILED, known, detail | {"failures": failures})
        raise InvalidCredentials()
    guard.record_success(email, client_ip)
    token, session = start_session(db_session=db_session, agent=agent, ttl_seconds=ttl_seconds)
    return Login(token=token, session=session, agent=agent)


def _audit_login(db_session: Session, action: AuditAction, agent: Agent | None, detail: dict) -> None:
    """A refused login: the account's id when the email is an agent's (never the email typed)."""
    record(
        db_session=db_session,
        actor_type=ActorType.SYSTEM,
        actor_id=None,
        action=action,
        entity_type="agent_login",
        entity_id=agent.id if agent else None,
        detail=detail,
    )


def start_session(
    *, db_session: Session, agent: Agent, ttl_seconds: int, now: datetime | None = None
) -> tuple[str, AgentSession]:
    """A new login for `agent`: the token (shown once) and its stored row."""
    now = now or datetime.now(UTC)
    db_session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id, AgentSession.expires_at <= now))
    token = new_session_token()
    session = AgentSession(
        token_hash=token_digest(token),
        agent_id=agent.id,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
    db_session.add(session)
    db_session.flush()
    return token, session


def find_live_session(*, db_session: Session, token: str, now: datetime | None = None) -> AgentSession | None:
    """The unexpired session of an active agent that `token` opens, or None."""
    now = now or datetime.now(UTC)
    statement = select(AgentSession).where(AgentSession.token_hash == token_digest(token))
    session = db_session.scalars(statement).one_or_none()
    if session is None or session.expires_at <= now or not session.agent.active:
        return None
    return session


def count_signed_in_agents(*, db_session: Session, now: datetime | None = None) -> int:
    """Active agents with an unexpired console session: whether a person could answer now."""
    now = now or datetime.now(UTC)
    statement = (
        select(func.count(func.distinct(AgentSession.agent_id)))
        .join(Agent, Agent.id == AgentSession.agent_id)
        .where(AgentSession.expires_at > now, Agent.active.is_(True))
    )
    return int(db_session.scalar(statement) or 0)


def end_session(*, db_session: Session, session: AgentSession) -> None:
    db_session.delete(session)
    db_session.flush()


def end_all_sessions(*, db_session: Session, agent_id: int) -> None:
    db_session.execute(delete(AgentSession).where(AgentSession.agent_id == agent_id))


def get_agent_or_raise(*, db_session: Session, agent_id: int) -> Agent:
    agent = get_agent(db_session=db_session, agent_id=agent_id)
    if agent is None:
        raise NotFound("No such agent.", code="agent_not_found")
    return agent


def change_agent(*, db_session: Session, agent: Agent, changes: dict) -> Agent:
    """`update_agent`, refused when it would leave no active administrator."""
    loses_admin = agent.role == Role.ADMIN and (
        ("role" in changes and changes["role"] != Role.ADMIN) or changes.get("active") is False
    )
    if loses_admin and count_admins(db_session=db_session) <= 1:
        raise LastAdmin()
    return update_agent(db_session=db_session, agent=agent, changes=changes)


def count_admins(*, db_session: Session) -> int:
    statement = select(func.count()).select_from(Agent).where(Agent.role == Role.ADMIN, Agent.active.is_(True))
    return db_session.scalar(statement) or 0
