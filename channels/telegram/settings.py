"""The bridge's settings, read from the environment only (never a token in the code)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from protocol.conversations import MIN_SECRET_CHARS

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which."""


@dataclass(frozen=True)
class Settings:
    """Where Telegram, Rasa and the CRM are, and how the bridge receives updates."""

    bot_token: str
    rasa_url: str
    crm_url: str
    service_token: str
    # Keys the conversation ids (protocol.conversations.telegram_conversation_id); shared with Rasa.
    conversation_id_secret: str = field(default="", repr=False)
    # The credential of Rasa's telegram channel (bot/channels/telegram.py).
    rest_channel_token: str = field(default="", repr=False)
    mode: str = "polling"  # polling | webhook
    webhook_url: str | None = None  # the public HTTPS URL that Telegram posts to
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "telegram"
    api_base_url: str | None = None  # e.g. a self-hosted Bot API server or a test stand-in
    image_base_url: str | None = None  # public URL that relative product image paths resolve against
    rasa_timeout: float = 60.0
    # Seconds between polls of the agents' outbox; 0 turns it off (run one poller per CRM).
    outbox_interval: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        def required(name: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                raise SettingsError(f"{name} is not set")
            return value

        def secret(name: str) -> str:
            value = required(name)
            if len(value) < MIN_SECRET_CHARS:
                raise SettingsError(f"{name} must have at least {MIN_SECRET_CHARS} characters")
            return value

        mode = env.get("TELEGRAM_MODE", "polling").strip() or "polling"
        if mode not in ("polling", "webhook"):
            raise SettingsError("TELEGRAM_MODE must be 'polling' or 'webhook'")
        settings = cls(
            bot_token=required("TELEGRAM_BOT_TOKEN"),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            crm_url=env.get("CRM_URL", "http://127.0.0.1:8000").rstrip("/"),
            service_token=required("BOT_SERVICE_TOKEN"),
            conversation_id_secret=secret("CONVERSATION_ID_SECRET"),
            rest_channel_token=secret("REST_CHANNEL_TOKEN"),
            mode=mode,
            webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
            webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            webhook_listen=env.get("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1"),
            webhook_port=int(env.get("TELEGRAM_WEBHOOK_PORT", "8443")),
            webhook_path=env.get("TELEGRAM_WEBHOOK_PATH", "telegram").strip("/"),
            api_base_url=env.get("TELEGRAM_API_BASE_URL") or None,
            image_base_url=env.get("TELEGRAM_IMAGE_BASE_URL") or None,
            outbox_interval=float(env.get("TELEGRAM_OUTBOX_INTERVAL", "1.0")),
        )
        if mode == "webhook":
            if not settings.webhook_url:
                raise SettingsError("TELEGRAM_WEBHOOK_URL is required in webhook mode")
            if not settings.webhook_secret or not _SECRET_TOKEN.match(settings.webhook_secret):
                raise SettingsError("TELEGRAM_WEBHOOK_SECRET (1-256 of A-Z a-z 0-9 _ -) is required in webhook mode")
        return settings
