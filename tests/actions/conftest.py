"""Action tests replay recorded trackers against a real CRM service (its own process)."""

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa_sdk import Tracker

from crm_backend.core.security import issue_customer_token
from ops.stack import Stack, StackConfig, free_port

TRACKERS = Path(__file__).parent / "trackers"


@pytest.fixture(scope="module")
def live_crm_url(crm_settings, test_secrets, tmp_path_factory) -> Iterator[str]:
    """The CRM service as `make run` starts it (ops.stack.Stack), on a free port, serving the
    seeded demo shop: the one way the tests start processes."""
    env = {**test_secrets, "DATABASE_URL": crm_settings.database_url, "TRACKER_DB_URL": ""}
    config = StackConfig(env=env, crm_port=free_port(), log_dir=tmp_path_factory.mktemp("crm-logs"))
    with Stack(config) as stack:
        stack.start(names=("crm",), timeout=60)
        yield config.crm_url


@pytest.fixture
def action_env(monkeypatch, live_crm_url, test_secrets) -> str:
    monkeypatch.setenv("CRM_URL", live_crm_url)
    monkeypatch.setenv("BOT_SERVICE_TOKEN", test_secrets["BOT_SERVICE_TOKEN"])
    return live_crm_url


@pytest.fixture
def load_tracker(crm_settings):
    """A recorded tracker, with a freshly signed token for `customer_id` in the last message."""

    def load(name: str, customer_id: int | None = None) -> Tracker:
        state = json.loads((TRACKERS / f"{name}.json").read_text())
        # A conversation of its own per replay: the first customer verified in one owns it.
        state["sender_id"] = f"{state['sender_id']}-{uuid.uuid4().hex[:8]}"
        if customer_id is not None:
            token = issue_customer_token(
                customer_id, secret=crm_settings.customer_token_secret.get_secret_value(), ttl_seconds=300
            )
            state["latest_message"].setdefault("metadata", {})["customer_token"] = token
        return Tracker.from_dict(state)

    return load


@pytest.fixture
def tracker_for(crm_settings):
    """A tracker in the state Rasa sends to the action server, for one user message."""

    def build(
        text: str,
        intent: str,
        *,
        customer_id: int | None = None,
        entities: list[dict] | None = None,
        slots: dict | None = None,
        active_loop: str | None = None,
        earlier_intents: tuple[str, ...] = (),
    ) -> Tracker:
        metadata = {}
        if customer_id is not None:
            secret = crm_settings.customer_token_secret.get_secret_value()
            metadata["customer_token"] = issue_customer_token(customer_id, secret=secret, ttl_seconds=300)
        parse_data = {"intent": {"name": intent, "confidence": 0.9}, "entities": entities or [], "text": text}
        earlier = [
            {"event": "user", "text": name, "parse_data": {"intent": {"name": name, "confidence": 0.2}}}
            for name in earlier_intents
        ]
        state = {
            # A conversation of its own: the first customer verified in a conversation owns it.
            "sender_id": f"test-{intent}-{uuid.uuid4().hex[:8]}",
            "slots": slots or {},
            "latest_message": {**parse_data, "metadata": metadata},
            "events": [
                {"event": "action", "name": "action_session_start"},
                *earlier,
                {"event": "user", "text": text, "parse_data": parse_data, "metadata": metadata},
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
            "latest_input_channel": "rest",
        }
        return Tracker.from_dict(state)

    return build


@pytest.fixture
def crm_db(seeded_database_url):
    """A session on the CRM database the live CRM serves, for setting up and checking rows."""
    from crm_backend.core.db import make_engine, make_session_factory

    engine = make_engine(seeded_database_url)
    with make_session_factory(engine)() as db_session:
        yield db_session
    engine.dispose()
