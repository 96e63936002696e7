"""Speed-ups of Rasa 3.6's hot path, applied when Rasa imports anything from `bot`.

Found by profiling `make bench-load` (see bench/results/latency.json, "profile"). Each
keeps Rasa's behaviour and only removes repeated work:

- `RemoteAction._validate_action_result` calls `jsonschema.validate`, which checks the
  (constant) schema itself and builds a validator on every custom-action call: 22% of the
  Rasa process's CPU. The validator is now built once; responses are still validated
  against the same schema and raise the same `ValidationError`.
- After the model is loaded, its half a million Python objects are moved out of the
  garbage collector's sight (`gc.freeze`): a full collection walked them all, about 300 ms
  during which no message is answered, every few seconds under load.
- Calls to the action server reuse one aiohttp session (and its kept-alive connections)
  per endpoint; `EndpointConfig.request` opened a new session and TCP connection per call.
- SQLite tracker stores keep their connections (SQLAlchemy 1.4 opens and closes one per
  session on a file database) and use the write-ahead log with `synchronous=NORMAL`: a
  commit no longer waits for fsync, and readers (the console's indexer) do not block Rasa.
  A killed process loses nothing that was committed; only a power cut could lose the last
  commits.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

_applied = False


def apply() -> None:
    """Install the speed-ups once per process (a no-op without Rasa, e.g. in the app env)."""
    global _applied
    if _applied:
        return
    try:
        import rasa  # noqa: F401
    except ImportError:
        return
    _applied = True
    _prebuilt_action_response_validator()
    _frozen_model_objects()
    _kept_alive_endpoint_sessions()
    _sqlite_tracker_store_connections()


def _prebuilt_action_response_validator() -> None:
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            f"the Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result


def freezing_loader(load_agent: Any) -> Any:
    """`load_agent`, then the loaded objects frozen out of the garbage collector's sight."""
    import functools
    import gc

    @functools.wraps(load_agent)
    async def load_agent_then_freeze(*args: Any, **kwargs: Any) -> Any:
        loaded = await load_agent(*args, **kwargs)
        gc.unfreeze()  # a model loaded earlier may be garbage now
        gc.collect()
        gc.freeze()
        return loaded

    return load_agent_then_freeze


def _frozen_model_objects() -> None:
    from rasa.core import agent

    agent.load_agent = freezing_loader(agent.load_agent)


class _KeptSession:
    """`async with` gives the endpoint's shared session and leaves it open."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *_exc: object) -> None:
        return None


def _kept_alive_endpoint_sessions() -> None:
    import asyncio

    from rasa.utils.endpoints import EndpointConfig

    new_session = EndpointConfig.session

    def session(self: EndpointConfig) -> Any:
        loop = asyncio.get_running_loop()
        kept = self.__dict__.get("_kept_session")
        if kept is None or kept[0] is not loop or kept[1].closed:
            kept = (loop, new_session(self))
            self.__dict__["_kept_session"] = kept
        return _KeptSession(kept[1])

    EndpointConfig.session = session


def _sqlite_tracker_store_connections() -> None:
    from rasa.core import tracker_store
    from sqlalchemy import event
    from sqlalchemy.engine import Engine, make_url
    from sqlalchemy.pool import QueuePool

    rasa_engine_kwargs = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> dict[str, Any]:
        kwargs = rasa_engine_kwargs(url)
        parsed = make_url(url) if isinstance(url, str) else url
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            kwargs = {**kwargs, "poolclass": QueuePool, "pool_size": 2, "max_overflow": 8}
        return kwargs

    tracker_store.create_engine_kwargs = create_engine_kwargs

    @event.listens_for(Engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
