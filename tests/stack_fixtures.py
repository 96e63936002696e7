"""The real processes and a real Chromium, shared by tests/web, tests/console, tests/e2e and
tests/channels.

Registered once, in tests/conftest.py (`pytest_plugins = ["tests.stack_fixtures"]`), so one
`web_stack` serves every folder of a run; conftests and tests import only the plain helpers
from here, never the fixtures (an imported fixture is defined again, and starts a second stack).

Also here: the stack's CRM database and tracker store, a message through Rasa's REST channel,
what a customer does on the demo shop page's chat widget (open it, type, read the bot), and
agents for the console.
"""

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from sqlalchemy import text
from sqlalchemy.orm import Session

from crm_backend.agents.models import Agent, Role
from crm_backend.agents.service import create_agent
from crm_backend.core.db import make_engine, make_session_factory, session_scope
from ops.stack import DEFAULT_MODEL, Stack, StackConfig, free_port, run_app_command
from tests.conftest import DEMO_AS_OF

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AGENT_PASSWORD = "correct horse battery staple"
WIDGET_INPUT = "Message to Shop assistant"  # the widget's input label, from the demo page's title
BOT_REPLY_TIMEOUT_MS = 45_000


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory, test_secrets) -> Iterator[Stack]:
    """CRM (in demo mode), action server and Rasa on free ports, with the demo shop seeded:
    one for the session. The CRM reaches this Rasa (agents' replies, hand back) and exports
    annotations to `ANNOTATIONS_EXPORT_PATH` in the stack's temporary folder. Tests share it, so
    each makes its own rows (tests/factories.py) and talks in conversations of its own."""
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"No trained model at {DEFAULT_MODEL}: run `make train` (make test does it for you).")
    work = tmp_path_factory.mktemp("web-stack")
    env = {
        **test_secrets,
        "DATABASE_URL": f"sqlite:///{work / 'crm.db'}",
        "TRACKER_DB_URL": f"sqlite:///{work / 'tracker.db'}",
        "LOCK_STORE_TYPE": "in_memory",
        "LOCK_STORE_URL": "",
        "DEMO_MODE": "true",
        "ANNOTATIONS_EXPORT_PATH": str(work / "annotations" / "corrections.yml"),
        "TEST_STORIES_EXPORT_DIR": str(work / "stories"),
    }
    run_app_command(["-m", "crm_backend", "migrate"], env)
    run_app_command(["-m", "crm_backend", "seed-demo", "--as-of", DEMO_AS_OF.isoformat()], env)
    config = StackConfig(
        env=env, crm_port=free_port(), actions_port=free_port(), rasa_port=free_port(), log_dir=work / "logs"
    )
    with Stack(config) as stack:
        stack.start()
        yield stack


@pytest.fixture
def crm(web_stack) -> Iterator[Session]:
    """A session on the stack's CRM database (the test commits what the processes must see)."""
    engine = make_engine(web_stack.config.env["DATABASE_URL"])
    with make_session_factory(engine)() as db_session:
        yield db_session
    engine.dispose()


def rest_headers(stack: Stack) -> dict[str, str]:
    """The channel credential of Rasa's REST webhook (a trusted server's: bot/channels/reliable_rest.py)."""
    return {"Authorization": f"Bearer {stack.child_env()['REST_CHANNEL_TOKEN']}"}


def send_rest(stack: Stack, sender: str, message: str, token: str | None = None) -> list[dict]:
    """One message through Rasa's REST channel, with a signed customer token if given; the replies."""
    body: dict = {"sender": sender, "message": message}
    if token is not None:
        body["metadata"] = {"customer_token": token}
    response = httpx.post(
        f"{stack.config.rasa_url}/webhooks/rest/webhook", json=body, headers=rest_headers(stack), timeout=60
    )
    response.raise_for_status()
    return response.json()


def stored_events(stack: Stack, sender: str, type_name: str | None = None) -> list[dict]:
    """One conversation's events as Rasa's tracker store holds them (`type_name` and the
    event's JSON), in order; only those of `type_name` if given."""
    engine = make_engine(stack.config.env["TRACKER_DB_URL"])
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        ).all()
    engine.dispose()
    events = [{"type_name": row.type_name, **json.loads(row.data)} for row in rows]
    return [event for event in events if type_name in (None, event["type_name"])]


def tracker_texts(stack: Stack, sender: str, type_name: str) -> list[str | None]:
    """The texts of one conversation's `user` or `bot` events in Rasa's tracker store, in order."""
    return [event.get("text") for event in stored_events(stack, sender, type_name)]


# --- the browser --------------------------------------------------------------------------


class Chromium:
    """Debian's Chromium driven by Playwright (Playwright's own browser downloads are not used),
    started when a test asks for it and stopped before a test that does not use it.

    While sync Playwright runs, its event loop counts as running in this thread: `asyncio.run`
    and pytest-asyncio's tests (tests/channels, tests/reliability...) would fail after a
    browser test of the same run if it stayed open.
    """

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def browser(self) -> Browser:
        if self._browser is None:
            if not CHROMIUM.exists():
                pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium`.")
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        return self._browser

    def stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None


_chromium = Chromium()


@pytest.fixture
def browser() -> Browser:
    """The run's Chromium (see `Chromium`); each test opens its own context with `open_page`."""
    return _chromium.browser()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Stop Chromium before a test that does not use it (it starts again for the next one that does)."""
    if "browser" not in getattr(item, "fixturenames", ()):
        _chromium.stop()


def pytest_sessionfinish() -> None:
    _chromium.stop()


@contextmanager
def open_page(browser: Browser, base_url: str, timeout_ms: float = 30_000) -> Iterator[Page]:
    """A page in a fresh browser context (own cookies and storage: one person); fails on
    JavaScript errors."""
    context = browser.new_context(viewport={"width": 1100, "height": 760}, base_url=base_url)
    context.set_default_timeout(timeout_ms)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def customer_page(browser, web_stack) -> Iterator[Page]:
    """A customer's browser (own cookies and storage) on the stack's CRM, which serves the demo shop."""
    with open_page(browser, web_stack.config.crm_url) as page:
        yield page


@pytest.fixture
def console_page(browser, web_stack) -> Iterator[Page]:
    """An agent's browser (own cookies) on the stack's CRM."""
    with open_page(browser, web_stack.config.crm_url, timeout_ms=15_000) as page:
        yield page


# --- the customer: the chat widget on the demo shop page ----------------------------------


def open_chat(page: Page, path: str = "/demo/") -> None:
    """Open the demo shop page (customer 1 unless `?customer=n`) and its chat, connected."""
    page.goto(path)
    launcher = page.locator(".cw-launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label(WIDGET_INPUT)).to_be_focused()
    expect(page.locator(".cw-status")).to_be_hidden()  # connected


def say(page: Page, text: str) -> None:
    box = page.get_by_label(WIDGET_INPUT)
    box.fill(text)
    box.press("Enter")


def bot_texts(page: Page) -> list[str]:
    return page.locator(".cw-log .cw-bot[data-kind=text]").all_inner_texts()


def wait_for_bot(page: Page, count: int) -> list[str]:
    """Wait until the log holds `count` bot texts (the greeting is the first) and the bot is idle."""
    expect(page.locator(".cw-log .cw-bot[data-kind=text]")).to_have_count(count, timeout=BOT_REPLY_TIMEOUT_MS)
    expect(page.locator(".cw-typing")).to_be_hidden(timeout=BOT_REPLY_TIMEOUT_MS)
    return bot_texts(page)


# --- the agent: the console ---------------------------------------------------------------


def add_agent(stack: Stack, role: Role = Role.AGENT, name: str = "Sam") -> Agent:
    """A new console agent in the stack's CRM (password AGENT_PASSWORD, unique e-mail)."""
    engine = make_engine(stack.config.env["DATABASE_URL"])
    try:
        for db_session in session_scope(make_session_factory(engine)):
            agent = create_agent(
                db_session=db_session,
                email=f"{name.lower()}-{uuid.uuid4().hex[:8]}@agents.example.com",
                name=name,
                password=AGENT_PASSWORD,
                role=role,
            )
    finally:
        engine.dispose()
    return agent


def console_login(page: Page, agent: Agent) -> None:
    page.goto("/console/conversations")
    page.fill("input[name=email]", agent.email)
    page.fill("input[name=password]", AGENT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/conversations")
