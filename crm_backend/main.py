"""The CRM service's application factory."""

import logging

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from crm_backend.api.router import api_router
from crm_backend.bot_api.router import router as bot_router
from crm_backend.console.router import console_router
from crm_backend.core.config import Settings, get_settings
from crm_backend.core.db import make_engine, make_session_factory
from crm_backend.core.errors import install_error_handlers
from crm_backend.core.limits import install_limits
from crm_backend.handoff.router import bot_router as handoff_bot_router
from crm_backend.web import install_web

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service; the engine is created here, never at import time."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    app = FastAPI(title="Concierge CRM", version="0.1.0")
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    install_error_handlers(app)

    install_limits(app, settings)

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
    app.include_router(handoff_bot_router)
    app.include_router(console_router)
    install_web(app)
    return app
