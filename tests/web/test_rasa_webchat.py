"""The stock rasa-webchat 1.0.1 from npm, in Chromium, against our socket.io channel, next to our
own widget: both show every reply the bot stored, once."""

import pytest
from playwright.sync_api import expect

from tests.stack_fixtures import BOT_REPLY_TIMEOUT_MS, open_chat, say, tracker_texts, wait_for_bot

pytestmark = pytest.mark.e2e

START = """socketUrl => window.WebChat.default({selector: "#webchat", embedded: true, socketUrl,
  socketPath: "/socket.io/", customData: {language: "en"}, initPayload: null,
  customMessageDelay: () => 0, params: {storage: "session"}}, null)"""


def test_the_stock_rasa_webchat_shows_our_replies(page, browser, web_stack, rasa_webchat):
    # A page of the CRM's origin (one of WIDGET_ORIGINS, and a loopback page to Chromium's
    # private network checks, which a page made up by `route.fulfill` is not), emptied. The
    # CRM's own pages forbid inline scripts and foreign sockets: its policy is not the shop's.
    context = browser.new_context(base_url=web_stack.config.crm_url, bypass_csp=True)
    errors: list[str] = []
    webchat = context.new_page()
    webchat.on("pageerror", lambda error: errors.append(str(error)))
    try:
        talk_to_rasa_webchat(webchat, web_stack, rasa_webchat)
    finally:
        context.close()
    assert not errors, errors

    # Our widget, same server, same reply shapes: each reply shown once (ids under `metadata`).
    open_chat(page)
    say(page, "hello")
    replies = wait_for_bot(page, 2)  # the greeting and at least one answer, then idle
    assert replies[1:] == tracker_texts(web_stack, page.evaluate("ConciergeWidget.instance.state.sessionId"), "bot")


def talk_to_rasa_webchat(page, web_stack, rasa_webchat) -> None:
    """Say hello in rasa-webchat: it shows the bot's stored replies, in order."""
    page.goto("/widget/status")
    page.set_content('<!doctype html><html lang="en"><body><div id="webchat"></div></body></html>')
    page.add_script_tag(path=str(rasa_webchat))
    page.evaluate(START, web_stack.config.rasa_url)
    box = page.locator(".rw-new-message")
    expect(box).to_be_enabled(timeout=BOT_REPLY_TIMEOUT_MS)
    box.fill("hello")
    box.press("Enter")
    expect(page.locator(".rw-response")).not_to_have_count(0, timeout=BOT_REPLY_TIMEOUT_MS)
    session_id = page.evaluate("JSON.parse(sessionStorage.getItem('chat_session')).session_id")
    stored = tracker_texts(web_stack, session_id, "bot")
    assert stored, "the bot answered nothing"
    expect(page.locator(".rw-response")).to_have_count(len(stored), timeout=BOT_REPLY_TIMEOUT_MS)
    assert page.locator(".rw-response").all_inner_texts() == stored
