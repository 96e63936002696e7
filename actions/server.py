"""The action server: rasa_sdk's Sanic app, on 127.0.0.1 by default, answering only Rasa.

`python -m rasa_sdk` binds 0.0.0.0 and runs any tracker anyone posts to /webhook; a crafted one
created a handoff with invented text for an arbitrary chat. This launcher builds the same app,
refuses every request but /health without `Authorization: Bearer <ACTION_SERVER_TOKEN>` (which
Rasa sends, see bot/endpoints.yml) and listens on ACTION_SERVER_HOST.

Usage: python -m actions.server [--port 5055] [--actions actions]
"""

import argparse
import hmac
import logging
import warnings
from functools import partial

from rasa_sdk import utils
from rasa_sdk.constants import DEFAULT_SERVER_PORT
from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor
from sanic import Request, Sanic, response
from sanic.worker.loader import AppLoader

from actions.settings import load_server_settings

logger = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health"})


def authorised(request: Request, token: str) -> bool:
    """Constant-time check of the bearer token Rasa sends."""
    sent = request.headers.get("authorization", "")
    return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


def build_app(actions_package: str) -> Sanic:
    """rasa_sdk's app with the token check; run in every Sanic worker (the token comes from the
    environment there, so it never travels in arguments)."""
    token = load_server_settings().token
    # rasa-sdk 3.21 answers Rasa 3.6 correctly (docs/ARCHITECTURE.md); it would warn on every call.
    warnings.filterwarnings("ignore", message="You are using an old version of rasa")
    executor = ActionExecutor()
    executor.register_package(actions_package)
    # No tracing configuration: rasa_sdk's default path (./endpoints.yml) only logs an error.
    app = create_app_for_serve(executor, cors_origins=[], endpoints="")

    @app.on_request
    async def require_token(request: Request):
        if request.path not in OPEN_PATHS and not authorised(request, token):
            return response.json({"error": "missing or wrong action server token"}, status=401)
        return None

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m actions.server", description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_SERVER_PORT)
    parser.add_argument("--actions", default="actions", help="the package of actions to serve")
    args = parser.parse_args(argv)
    settings = load_server_settings()  # fail before starting workers if the token is missing
    utils.configure_colored_logging(logging.INFO)
    utils.update_sanic_log_level()
    loader = AppLoader(factory=partial(build_app, args.actions))
    app = loader.load()
    app.prepare(host=settings.host, port=args.port, workers=utils.number_of_sanic_workers())
    logger.info("Action server on http://%s:%s", settings.host, args.port)
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
