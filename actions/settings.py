"""What the action server needs from its environment."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionSettings:
    crm_url: str
    service_token: str
    timeout_seconds: float = 5.0


def load_settings() -> ActionSettings:
    """Read the settings when an action runs (never at import time)."""
    token = os.environ.get("BOT_SERVICE_TOKEN", "")
    if not token:
        raise RuntimeError("BOT_SERVICE_TOKEN is not set; the action server cannot call the CRM.")
    return ActionSettings(
        crm_url=os.environ.get("CRM_URL", "http://127.0.0.1:8000").rstrip("/"),
        service_token=token,
        timeout_seconds=float(os.environ.get("CRM_TIMEOUT_SECONDS", "5")),
    )


MIN_SECRET_CHARS = 32


@dataclass(frozen=True)
class ServerSettings:
    """Where the action server listens, and the secret Rasa must send (see actions/server.py)."""

    host: str
    token: str


def load_server_settings() -> ServerSettings:
    """127.0.0.1 unless ACTION_SERVER_HOST says otherwise; ACTION_SERVER_TOKEN is required."""
    token = os.environ.get("ACTION_SERVER_TOKEN", "")
    if len(token) < MIN_SECRET_CHARS:
        raise RuntimeError(
            f"ACTION_SERVER_TOKEN must be set to at least {MIN_SECRET_CHARS} characters "
            "(the secret Rasa sends to the action server; `make run` generates one into .env)."
        )
    return ServerSettings(host=os.environ.get("ACTION_SERVER_HOST", "127.0.0.1"), token=token)
