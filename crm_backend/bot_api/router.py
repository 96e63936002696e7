"""The narrow API of the action server: every answer is about the verified customer only."""

from fastapi import APIRouter, Depends

from crm_backend.bot_api import catalogue, channels, offers, orders, payments, profile, returns
from crm_backend.bot_api.deps import require_service_token

router = APIRouter(prefix="/bot", tags=["bot"], dependencies=[Depends(require_service_token)])
for module in (orders, returns, profile, offers, payments, catalogue, channels):
    router.include_router(module.router)
