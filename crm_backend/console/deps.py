"""What console pages share: Rasa's tracker store, Rasa's API, the login guard.
Each is built once by `create_app`; these only hand them to the routes."""

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from crm_backend.agents.security import LoginGuard
from crm_backend.core.deps import from_state
from crm_backend.core.errors import Unavailable
from crm_backend.handoff.rasa import RasaClient


def get_tracker(request: Request) -> Engine:
    tracker = request.app.state.tracker
    if tracker is None:
        raise Unavailable("TRACKER_DB_URL is not configured: there are no transcripts to read.")
    return tracker


TrackerDep = Annotated[Engine, Depends(get_tracker)]
RasaDep = Annotated[RasaClient, Depends(from_state("rasa"))]
LoginGuardDep = Annotated[LoginGuard, Depends(from_state("login_guard"))]
