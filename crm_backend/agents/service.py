"""Agents and their login sessions. Services flush at most; the caller owns the transaction."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from crm_backend.agents.models import Agent, AgentSession, Role
from crm_backend.agents.security import (
    burn_password_check,
    hash_password,
    new_session_token,
    token_digest,
    verify_password,
)


class AgentExists(Exception):
    """Another agent already uses this email."""


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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
        raise AgentExists(email)
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
    if session is None or as_utc(session.expires_at) <= now or not session.agent.active:
        return None
    return session


def end_session(*, db_session: Session, session: AgentSession) -> None:
    db_session.delete(session)
    db_session.flush()


def end_all_sessions(*, db_session: Session, agent_id: int) -> None:
    db_session.execute(delete(AgentSession).where(AgentSession.agent_id == agent_id))


def count_admins(*, db_session: Session) -> int:
    statement = select(func.count()).select_from(Agent).where(Agent.role == Role.ADMIN, Agent.active.is_(True))
    return db_session.scalar(statement) or 0
