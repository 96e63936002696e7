"""The real processes and a real Chromium, for the browser tests of tests/web and tests/console.

A conftest imports the fixtures it needs (`from tests.stack_fixtures import browser, web_stack`).
Registered once in tests/conftest.py instead (`pytest_plugins = ["tests.stack_fixtures"]`),
one stack would serve both folders in a full run; imported by each folder's conftest, each
folder starts its own.

Also here: what a customer does on the demo shop page's chat widget (open it, type, read the
bot), and agents for the console.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

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
    """CRM (in demo mode), action server and Rasa on free ports, with the demo shop seeded.
    The CRM reaches this Rasa (agents' replies, hand back) and exports annotations to
    `ANNOTATIONS_EXPORT_DIR` in the stack's temporary folder."""
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
        "ANNOTATIONS_EXPORT_DIR": str(work / "nlu"),
    }
    run_app_command(["-m", "crm_backend", "migrate"], env)
    run_app_command(["-m", "crm_backend", "seed-demo", "--as-of", DEMO_AS_OF.isoformat()], env)
    config = StackConfig(
        env=env, crm_port=free_port(), actions_port=free_port(), rasa_port=free_port(), log_dir=work / "logs"
    )
    with Stack(config) as stack:
        stack.start()
        yield stack


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (Playwright's own browser downloads are not used)."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
