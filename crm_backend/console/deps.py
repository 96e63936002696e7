"""What console pages share: Rasa's tracker store, Rasa's API, the retrain runner."""

import threading
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine

from crm_backend.annotations.training import ROOT, TrainingRunner
from crm_backend.core.deps import SettingsDep
from crm_backend.handoff.rasa import RasaClient
from crm_backend.transcripts.tracker import tracker_engine

_runner_lock = threading.Lock()


def get_tracker(settings: SettingsDep) -> Engine:
    if not settings.tracker_db_url:
        raise HTTPException(503, "TRACKER_DB_URL is not configured: there are no transcripts to read.")
    return tracker_engine(settings.tracker_db_url)


TrackerDep = Annotated[Engine, Depends(get_tracker)]


def get_rasa(settings: SettingsDep) -> RasaClient:
    token = settings.rasa_api_token.get_secret_value() if settings.rasa_api_token else None
    return RasaClient(settings.rasa_url, token)


RasaDep = Annotated[RasaClient, Depends(get_rasa)]


def get_training_runner(request: Request, settings: SettingsDep) -> TrainingRunner:
    with _runner_lock:
        runner = getattr(request.app.state, "training_runner", None)
        if runner is None:
            runner = TrainingRunner(settings.retrain_command, Path(ROOT / "var" / "console-train.log"))
            request.app.state.training_runner = runner
    return runner


TrainingDep = Annotated[TrainingRunner, Depends(get_training_runner)]
