"""The console over a TestClient (HTTPS, so the Secure cookie is sent), with a tracker store
filled with Rasa-shaped events, on SQLite and on PostgreSQL; and in a real Chromium against
the real processes (`web_stack`, `console_page` and `customer_page`: tests/stack_fixtures.py)."""

import re
import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from crm_backend.agents.models import Agent, Role
from crm_backend.agents.service import create_agent
from crm_backend.core.config import Settings
from crm_backend.core.db import make_engine, session_scope
from crm_backend.core.security import issue_customer_token
from crm_backend.main import create_app
from tests.fake_events import ConversationWriter, write

PASSWORD = "correct horse battery staple"
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss=2">'


@pytest.fixture(scope="module")
def console_settings(seeded_database_url, tracker_url, test_secrets, tmp_path_factory) -> Settings:
    return Settings(
        database_url=seeded_database_url,
        tracker_db_url=tracker_url,
        bot_service_token=test_secrets["BOT_SERVICE_TOKEN"],
        customer_token_secret=test_secrets["CUSTOMER_TOKEN_SECRET"],
        rasa_url="http://127.0.0.1:9",
        rasa_api_token="rasa-token",
        annotations_export_path=str(tmp_path_factory.mktemp("annotations") / "corrections.yml"),
        retrain_command="python -c \"print('training done')\"",
        rate_limit_login_per_minute=0,
    )


@pytest.fixture(scope="module")
def console(console_settings) -> Iterator[TestClient]:
    app = create_app(console_settings)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def tracker(console_settings):
    engine = make_engine(console_settings.tracker_db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def conversation(console_settings, tracker) -> Callable[..., ConversationWriter]:
    """Start writing a conversation; call `.save()`-like `write_conversations` to store it."""

    def make(customer_id: int | None = None, channel: str = "rest", start_ts: float = 1_780_000_000.0):
        token = None
        if customer_id is not None:
            secret = console_settings.customer_token_secret.get_secret_value()
            token = issue_customer_token(customer_id, secret=secret, ttl_seconds=60, now=start_ts)
        return ConversationWriter(f"c-{uuid.uuid4().hex[:12]}", start_ts, channel=channel, token=token)

    return make


@pytest.fixture(scope="module")
def store(tracker):
    def save(*writers: ConversationWriter) -> None:
        write(tracker, list(writers))

    return save


@pytest.fixture(scope="module")
def make_agent(console) -> Callable[..., Agent]:
    def make(role: Role | None = Role.AGENT) -> Agent:
        for db_session in session_scope(console.app.state.session_factory):
            agent = create_agent(
                db_session=db_session,
                email=f"{role or 'none'}-{uuid.uuid4().hex[:8]}@agents.example.com",
                name=f"Console {role or 'nobody'}",
                password=PASSWORD,
                role=role,
            )
        return agent

    return make


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture(scope="module")
def log_in(console) -> Callable[[Agent], str]:
    """Log `agent` in through the form; returns a CSRF token of the new session."""

    def login(agent: Agent) -> str:
        console.cookies.clear()
        page = console.get("/console/login")
        response = console.post(
            "/console/login",
            data={"email": agent.email, "password": PASSWORD, "csrf_token": csrf_of(page.text), "next": ""},
        )
        assert response.status_code == 303, response.text
        return csrf_of(console.get("/console/conversations").text)

    return login
