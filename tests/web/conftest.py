"""The chat widget in a real headless Chromium, against the real Rasa, action and CRM processes."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.stack import DEFAULT_MODEL, ROOT, Stack, StackConfig, free_port, run_app_command
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
SCREENSHOTS = ROOT / "bench" / "results"


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory, test_secrets) -> Iterator[Stack]:
    """CRM (in demo mode), action server and Rasa on free ports, with the demo shop seeded."""
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
def browser():
    """Debian's Chromium driven by Playwright (Playwright's own browser downloads are not used)."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium`.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed in .venv: `make setup` installs it from requirements/app.lock.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, web_stack):
    """A fresh browser context (own sessionStorage) with one page; fails the test on page errors."""
    context = browser.new_context(viewport={"width": 1100, "height": 760}, base_url=web_stack.config.crm_url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
