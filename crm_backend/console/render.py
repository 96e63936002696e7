"""The console's templates (autoescaped). Security headers come from `core.headers`."""

from datetime import UTC, datetime
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.responses import Response

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def _when(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds) -> str:
    if seconds is None:
        return "–"
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds / 3600:.1f} h"


# Autoescape everything: customer text is always rendered as text.
templates = Jinja2Templates(env=Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True))
templates.env.filters["when"] = _when
templates.env.filters["duration"] = _duration


def render(request: Request, name: str, context: dict, status_code: int = 200) -> Response:
    """A page; `context` gets the request's agent and CSRF token."""
    context = {
        "agent": getattr(request.state, "console_agent", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        **context,
    }
    return templates.TemplateResponse(request, name, context, status_code=status_code)
