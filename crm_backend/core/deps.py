"""Request dependencies shared by the routers."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from crm_backend.core.config import Settings
from crm_backend.core.db import session_scope


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_db_session(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.session_factory)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": the transaction commits before the response is sent, so a client that
# got a success can read its own write (FastAPI's default would commit after responding).
SessionDep = Annotated[Session, Depends(get_db_session, scope="function")]
