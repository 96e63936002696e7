"""The CRM service's application factory: every cross-cutting concern is wired here, once.

- the database engine and sessions, and the objects that live as long as the process (the
  login guard, the link-code throttle, Rasa's client and tracker store, the retrain runner),
  built at startup and handed to routes from `app.state`;
- one error handler mapping service errors to HTTP (`core.errors`);
- request limits (`core.limits`) and, outermost, the security headers (`core.headers`);
- the interfaces: /bot (actions, channel bridges), /api (agents), /console, and the web files.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from crm_backend.agents.security import LoginGuard
from crm_backend.api.router import api_router
from crm_backend.bot_api.router import router as bot_router
from crm_backend.console.metrics import MetricsCache
from crm_backend.console.router import console_router
from crm_backend.core.config import Settings, get_settings
from crm_backend.core.db import make_engine, make_session_factory
from crm_backend.core.errors import install_error_handlers
from crm_backend.core.headers import install_security_headers
from crm_backend.core.limits import install_limits
from crm_backend.handoff.rasa import RasaClient
from crm_backend.links.service import LinkThrottle
from crm_backend.privacy.tracker import TrackerStore
from crm_backend.transcripts.tracker import tracker_engine
from crm_backend.web import install_web

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service; the engine is created here, never at import time."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    docs = settings.demo_mode or settings.api_docs
    app = FastAPI(
        title="Concierge CRM",
        version="0.1.0",
        lifespan=_lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    _build_singletons(app, settings)
    install_error_handlers(app)
    install_limits(app, settings)
    install_security_headers(app)

    @app.get("/health", tags=["health"])
    def health() -> JSONResponse:
        """Whether the service and its database answer."""
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            logger.exception("Database health check failed")
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "up"})

    app.include_router(bot_router)
    app.include_router(api_router)
    app.include_router(console_router)
    install_web(app)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    if app.state.tracker is not None:
        app.state.tracker.dispose()


def _build_singletons(app: FastAPI, settings: Settings) -> None:
    """What routes share for the life of the process, built once here (no lazy locks)."""
    state = app.state
    state.login_guard = LoginGuard(
        max_failures=settings.login_max_failures,
        max_failures_per_ip=settings.login_max_failures_per_ip,
        base_delay_seconds=settings.login_delay_seconds,
        window_seconds=settings.login_failure_window_seconds,
    )
    state.link_throttle = LinkThrottle()
    state.metrics_cache = MetricsCache()
    token = settings.rasa_api_token.get_secret_value() if settings.rasa_api_token else None
    state.rasa = RasaClient(settings.rasa_url, token)
    state.tracker = tracker_engine(settings.tracker_db_url) if settings.tracker_db_url else None
    state.tracker_store = (
        TrackerStore(state.tracker, settings.customer_token_secret.get_secret_value()) if state.tracker else None
    )
