"""Managing agents (/api/agents, administrators only)."""

from fastapi import APIRouter, Depends, status

from crm_backend.agents.models import Agent
from crm_backend.agents.schemas import AgentCreate, AgentList, AgentRead, AgentUpdate
from crm_backend.agents.service import change_agent, create_agent, get_agent_or_raise, list_agents
from crm_backend.api.deps import CurrentAdmin, get_current_admin
from crm_backend.api.errors import error_responses
from crm_backend.audit.service import AuditAction, audit
from crm_backend.core.deps import SessionDep
from crm_backend.core.types import IdPath

router = APIRouter(
    prefix="/agents",
    tags=["agents"],
    dependencies=[Depends(get_current_admin)],
    responses=error_responses(401, 403),
)


@router.post("", response_model=AgentRead, status_code=status.HTTP_201_CREATED, responses=error_responses(409, 422))
def create(body: AgentCreate, admin: CurrentAdmin, db_session: SessionDep) -> Agent:
    """Create an agent account."""
    agent = create_agent(db_session=db_session, **body.model_dump())
    fields = sorted(body.model_dump(exclude={"password"}))
    audit(db_session, admin, AuditAction.CREATE, "agent", agent.id, detail={"fields": fields})
    return agent


@router.get("", response_model=AgentList)
def list_all(_admin: CurrentAdmin, db_session: SessionDep) -> AgentList:
    """Every agent account."""
    return AgentList(items=[AgentRead.model_validate(agent) for agent in list_agents(db_session=db_session)])


@router.patch("/{agent_id}", response_model=AgentRead, responses=error_responses(404, 409, 422))
def update(agent_id: IdPath, body: AgentUpdate, admin: CurrentAdmin, db_session: SessionDep) -> Agent:
    """Change an agent's name, role, active flag or password; `"role": null` removes the role."""
    agent = get_agent_or_raise(db_session=db_session, agent_id=agent_id)
    # Only `role` may be set to null; a null elsewhere means "leave as is".
    changes = {
        field: getattr(body, field)
        for field in body.model_fields_set
        if field == "role" or getattr(body, field) is not None
    }
    change_agent(db_session=db_session, agent=agent, changes=changes)
    audit(db_session, admin, AuditAction.UPDATE, "agent", agent.id, detail={"fields": sorted(changes)})
    return agent
