"""Every console page, assembled under /console, plus its two static files."""

from fastapi import APIRouter
from fastapi.responses import FileResponse

from crm_backend.console import (
    routes_auth,
    routes_canned,
    routes_conversations,
    routes_handoffs,
    routes_inbox,
    routes_metrics,
    routes_training,
)
from crm_backend.console.render import STATIC_DIR
from crm_backend.core.errors import NotFound

console_router = APIRouter(prefix="/console", include_in_schema=False)
for module in (
    routes_auth,
    routes_canned,
    routes_conversations,
    routes_handoffs,
    routes_inbox,
    routes_metrics,
    routes_training,
):
    console_router.include_router(module.router)

_STATIC = {"console.js": "text/javascript", "inbox.js": "text/javascript", "console.css": "text/css"}


@console_router.get("/static/{name}")
def static(name: str) -> FileResponse:
    if name not in _STATIC:
        raise NotFound("No such file.")
    return FileResponse(STATIC_DIR / name, media_type=_STATIC[name], headers={"Cache-Control": "max-age=300"})
