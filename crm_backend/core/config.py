"""Settings, read from the environment (and an optional `.env` file) only."""

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the CRM service needs to know about its surroundings."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/crm.db"
    # Shared with the action server: it authenticates calls to /bot/*.
    bot_service_token: SecretStr = Field(min_length=16)
    # Signs the short-lived customer tokens that the shop's site or channel bridges issue.
    customer_token_secret: SecretStr = Field(min_length=32)
    customer_token_ttl_seconds: int = 3600
    max_body_bytes: int = 64 * 1024
    # The demo shop page (/demo/) and its token endpoint, which signs a token for ANY customer
    # id it is asked for. Insecure: only for `make run`'s embedded default; a real shop signs
    # customer tokens in its own backend, for its own signed-in customer.
    demo_mode: bool = False
    # Where browsers reach Rasa's socket.io channel (the demo page's widget config).
    widget_socket_url: str = "http://127.0.0.1:5005"
    # Per-client-IP token buckets (crm_backend/core/limits.py); a rate of 0 turns one off.
    rate_limit_login_per_minute: float = Field(default=60, ge=0)
    rate_limit_login_burst: int = Field(default=30, ge=1)
    # /bot/* is called by the action server(s): one bucket per action server host.
    rate_limit_bot_per_second: float = Field(default=200, ge=0)
    rate_limit_bot_burst: int = Field(default=400, ge=1)
    # Rasa's SQL tracker store (its `events` table), read for transcripts; None: no transcripts.
    tracker_db_url: str | None = None
    # Rasa's HTTP API (`rasa run --enable-api --auth-token ...`): agents' replies, hand back.
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_api_token: SecretStr | None = None
    # The console's session cookie is `Secure` (HTTPS only; browsers accept it on localhost).
    console_secure_cookie: bool = True
    # Where `python -m crm_backend annotations export` (and the console's button) writes agents'
    # corrections as Rasa NLU data; `make train` adds this file to the training data.
    annotations_export_path: str = "var/annotations/corrections.yml"
    # Where the console writes a reviewed conversation as a Rasa test story; `make test` runs
    # every story under tests/stories.
    test_stories_export_dir: str = "tests/stories/from_console"
    # What the job worker (`python -m crm_backend jobs work`, never the web process) runs for a
    # retraining job, in the project folder.
    retrain_command: str = "make train"
    # When colleagues answer live chats: "always", "never", or "HH:MM-HH:MM" in UTC (e.g.
    # "08:00-18:00"). Agents count as online inside these hours or while an agent is logged in;
    # outside, the bot says so and offers a ticket instead of queueing (handoff/availability.py).
    agent_hours: str = Field(default="always", pattern=r"^(always|never|\d{2}:\d{2}-\d{2}:\d{2})$")
    # Agents of the console and /api: how long a login lasts, and the brute-force guard.
    agent_session_ttl_seconds: int = Field(default=8 * 3600, ge=60)
    # Failures per (account, client address) before each attempt waits, the wait doubling
    # from `login_delay_seconds` up to the window; per address (any account) for spraying.
    login_max_failures: int = Field(default=5, ge=1)
    login_max_failures_per_ip: int = Field(default=20, ge=1)
    login_delay_seconds: float = Field(default=1.0, gt=0)
    login_failure_window_seconds: int = Field(default=15 * 60, ge=1)
    # /docs, /redoc and /openapi.json: off unless DEMO_MODE or API_DOCS=true.
    api_docs: bool = False
    # Service levels of the live inbox: an agent's first reply, and the handoff's resolution,
    # within these many seconds of the customer being queued (the console's breach view).
    sla_first_response_seconds: int = Field(default=5 * 60, ge=1)
    sla_resolution_seconds: int = Field(default=4 * 3600, ge=1)
    # How often the console's live stream looks for new handoffs and messages.
    inbox_poll_seconds: float = Field(default=1.0, gt=0)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()  # type: ignore[call-arg]
