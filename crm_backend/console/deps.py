"""What console pages share: Rasa's tracker store and Rasa's API."""

from typing import Annotated

from fastapi import Depends, HTTPException
from sqlalchemy import Engine

from crm_backend.core.deps import SettingsDep
from crm_backend.handoff.rasa import RasaClient
from crm_backend.transcripts.tracker import tracker_engine


def get_tracker(settings: SettingsDep) -> Engine:
    if not settings.tracker_db_url:
        raise HTTPException(503, "TRACKER_DB_URL is not configured: there are no transcripts to read.")
    return tracker_engine(settings.tracker_db_url)


TrackerDep = Annotated[Engine, Depends(get_tracker)]


def get_rasa(settings: SettingsDep) -> RasaClient:
    token = settings.rasa_api_token.get_secret_value() if settings.rasa_api_token else None
    return RasaClient(settings.rasa_url, token)


RasaDep = Annotated[RasaClient, Depends(get_rasa)]
