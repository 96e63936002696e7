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
