"""The narrow API of the action server and the channel bridges, behind the service token."""

from fastapi import APIRouter, Depends

from crm_backend.bot_api import catalogue, channels, handoffs, kb, offers, orders, payments, profile, returns
from crm_backend.bot_api.deps import require_service_token

router = APIRouter(prefix="/bot", tags=["bot"], dependencies=[Depends(require_service_token)])
for module in (orders, returns, profile, offers, payments, catalogue, channels, handoffs, kb):
    router.include_router(module.router)
