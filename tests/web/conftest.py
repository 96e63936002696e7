"""The chat widget in a real headless Chromium, against the real Rasa, action and CRM processes
(the session's `web_stack` and Chromium, from tests/stack_fixtures.py)."""

import pytest
from playwright.sync_api import Page

from ops.stack import ROOT

SCREENSHOTS = ROOT / "bench" / "results"


@pytest.fixture
def page(customer_page) -> Page:
    """A customer's fresh browser context (own sessionStorage) on the demo shop; fails the test on page errors."""
    return customer_page
