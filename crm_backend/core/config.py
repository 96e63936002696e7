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
    # Agents of the console and /api: how long a login lasts, and the brute-force guard.
    agent_session_ttl_seconds: int = Field(default=8 * 3600, ge=60)
    login_max_failures: int = Field(default=5, ge=1)
    login_failure_window_seconds: int = Field(default=15 * 60, ge=1)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()  # type: ignore[call-arg]
