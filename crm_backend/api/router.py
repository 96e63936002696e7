"""Every router of the agents' API, assembled under /api."""

from fastapi import APIRouter

from crm_backend.agents.router import agents_router, auth_router
from crm_backend.customers.router import router as customers_router
from crm_backend.privacy.router import router as privacy_router
from crm_backend.tickets.router import router as tickets_router

api_router = APIRouter(prefix="/api")
api_router.include_router(auth_router)
api_router.include_router(agents_router)
api_router.include_router(customers_router)
api_router.include_router(privacy_router)
api_router.include_router(tickets_router)
