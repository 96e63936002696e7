"""bot.speedups keeps Rasa's behaviour while it removes repeated work."""

import asyncio

import pytest
from jsonschema import ValidationError
from rasa.core import tracker_store
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.pool import QueuePool

import bot  # noqa: F401 - applies the speed-ups


def remote_action() -> RemoteAction:
    return RemoteAction("action_test", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_valid_action_responses_pass():
    action = remote_action()
    response = {"events": [{"event": "slot", "name": "order_id", "value": "1"}], "responses": [{"text": "hi"}]}
    assert action._validate_action_result(response) is True
    assert action._validate_action_result({"events": [], "responses": []}) is True


@pytest.mark.parametrize(
    "response",
    [
        {"events": "not a list"},
        {"events": [{"event": "no_such_event"}]},
        {"responses": ["not an object"]},
    ],
)
def test_invalid_action_responses_raise_rasas_error(response):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        remote_action()._validate_action_result(response)


def test_sqlite_tracker_store_keeps_connections_and_uses_the_write_ahead_log(tmp_path):
    kwargs = tracker_store.create_engine_kwargs(f"sqlite:///{tmp_path / 't.db'}")
    assert kwargs["poolclass"] is QueuePool
    assert "poolclass" not in tracker_store.create_engine_kwargs("sqlite://")  # in memory: one connection
    assert "poolclass" not in tracker_store.create_engine_kwargs("postgresql://u@h/db")

    store = tracker_store.SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "t.db"))
    assert isinstance(store.engine.pool, QueuePool)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_endpoint_sessions_are_reused_per_event_loop():
    endpoint = EndpointConfig("http://127.0.0.1:1/webhook")

    async def two_sessions():
        async with endpoint.session() as first, endpoint.session() as second:
            return first, second, first.closed

    first, second, closed_inside = asyncio.run(two_sessions())
    assert first is second and not closed_inside
    third, _, _ = asyncio.run(two_sessions())  # another loop gets its own session
    assert third is not first


def test_objects_of_a_loaded_model_are_frozen():
    import gc

    from rasa.core import agent

    from bot.speedups import freezing_loader

    assert hasattr(agent.load_agent, "__wrapped__")  # Rasa loads its model through freezing_loader

    async def fake_load(*_args, **_kwargs):
        return [object() for _ in range(1000)]

    gc.unfreeze()
    try:
        loaded = asyncio.run(freezing_loader(fake_load)("model.tar.gz"))
        assert len(loaded) == 1000
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
