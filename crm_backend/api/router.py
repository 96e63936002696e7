"""Every router of the agents' API, assembled under /api."""

from fastapi import APIRouter

from crm_backend.api import routes_agents, routes_auth, routes_customers, routes_privacy, routes_tickets

api_router = APIRouter(prefix="/api")
for module in (routes_auth, routes_agents, routes_customers, routes_privacy, routes_tickets):
    api_router.include_router(module.router)
