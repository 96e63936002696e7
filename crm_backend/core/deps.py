"""Request dependencies shared by the routers."""

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from crm_backend.core.config import Settings
from crm_backend.core.db import session_scope


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def from_state(name: str) -> Callable[[Request], Any]:
    """A dependency answering `app.state.<name>`: one of the objects `create_app` built at startup."""

    def dependency(request: Request) -> Any:
        return getattr(request.app.state, name)

    return dependency


def client_ip(request: Request) -> str:
    """The address the request came from (the proxy's, behind one: configure it to forward)."""
    return request.client.host if request.client else "unknown"


def get_db_session(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.session_factory)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": the transaction commits before the response is sent, so a client that
# got a success can read its own write (FastAPI's default would commit after responding).
SessionDep = Annotated[Session, Depends(get_db_session, scope="function")]
