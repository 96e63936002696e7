"""The widget on a phone (390×844) and on a laptop (1280×800): full screen below 480 px, a 16 px
input that grows, no page scrolling behind the open chat; screenshots of both in bench/results/ui/."""

import pytest
from playwright.sync_api import expect

from tests.stack_fixtures import BOT_REPLY_TIMEOUT_MS, WIDGET_INPUT, open_chat, say
from tests.web.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

UI = SCREENSHOTS / "ui"


def test_on_a_phone_the_chat_fills_the_screen_and_the_page_stays_put(page, web_stack):
    page.set_viewport_size({"width": 390, "height": 844})
    open_chat(page)
    box = page.locator(".cw-panel").bounding_box()
    assert box == {"x": 0, "y": 0, "width": 390, "height": 844}
    field = page.get_by_label(WIDGET_INPUT)
    assert field.evaluate("el => getComputedStyle(el).fontSize") == "16px"  # iOS does not zoom

    one_line = field.evaluate("el => el.offsetHeight")
    field.fill("first line\nsecond line\nthird line")
    assert field.evaluate("el => el.offsetHeight") > one_line  # grows with its text
    field.fill("")
    field.press("Backspace")
    assert field.evaluate("el => el.offsetHeight") == one_line

    # The page behind does not scroll while the chat is open, and does again once it is closed.
    page.evaluate("document.body.style.minHeight = '3000px'")
    page.mouse.wheel(0, 800)
    page.wait_for_timeout(300)
    assert page.evaluate("window.scrollY") == 0
    say(page, "recommend me something")
    expect(page.locator(".cw-cards .cw-card")).not_to_have_count(0, timeout=BOT_REPLY_TIMEOUT_MS)
    expect(page.locator(".cw-typing")).to_be_hidden(timeout=BOT_REPLY_TIMEOUT_MS)
    UI.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(UI / "widget-390x844.png"))
    page.get_by_role("button", name="Close chat").first.click()
    page.evaluate("window.scrollTo(0, 500)")
    assert page.evaluate("window.scrollY") > 0


def test_on_a_laptop_the_chat_is_a_panel(page, web_stack):
    page.set_viewport_size({"width": 1280, "height": 800})
    open_chat(page)
    box = page.locator(".cw-panel").bounding_box()
    assert box["width"] == 380 and box["x"] > 800  # a panel in the corner
    assert not page.evaluate("document.documentElement.classList.contains('cw-lock-scroll')")
    say(page, "recommend me something")
    expect(page.locator(".cw-cards .cw-card")).not_to_have_count(0, timeout=BOT_REPLY_TIMEOUT_MS)
    expect(page.locator(".cw-typing")).to_be_hidden(timeout=BOT_REPLY_TIMEOUT_MS)
    UI.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(UI / "widget-1280x800.png"))
