"""A shift in the live inbox: two agents in two browser contexts, neither page ever reloaded.

A customer (Ada, signed in) asks the bot for a human through Rasa's REST channel. Both agents'
inboxes show the conversation as it is queued, with a chime and a desktop notification (the
permission is asked when the agent clicks), and count her next message as unread. Grace claims
it, picks the admin's canned reply (filled with Ada's first name), sends it with Enter, writes
an internal note (shown in the thread, never sent to Ada), and transfers the conversation to
Alan. Alan's open inbox moves it to "mine"; he marks it pending, which Grace's page shows
live, and hands it back: the handoff's ticket closes with it.
"""

import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from crm_backend.agents.models import Role
from crm_backend.audit.models import AuditEntry
from crm_backend.core.security import issue_customer_token
from crm_backend.handoff.models import Handoff
from crm_backend.tickets.models import Ticket
from tests.stack_fixtures import add_agent, console_login, open_page, send_rest, tracker_texts

pytestmark = pytest.mark.e2e
LIVE_MS = 15_000

# Records what the page asks of the browser's notification and audio APIs (headless Chromium
# shows neither), and when the permission was asked.
RECORDER = """
window.__notes = []; window.__asked = 0; window.__chimes = 0;
window.Notification = class {
  constructor(title, options) { window.__notes.push(title + " | " + ((options || {}).body || "")); }
  static get permission() { return window.__asked ? "granted" : "default"; }
  static requestPermission() { window.__asked += 1; return Promise.resolve("granted"); }
};
const RealAudio = window.AudioContext;
window.AudioContext = class extends RealAudio {
  createOscillator() { window.__chimes += 1; return super.createOscillator(); }
};
"""


def open_inbox(page: Page) -> None:
    page.context.add_init_script(RECORDER)
    page.goto("/console/inbox")
    expect(page.locator("#inbox-live")).to_have_text("live", timeout=LIVE_MS)
    assert page.evaluate("window.__asked") == 0  # nothing is asked before the agent clicks
    page.click("#notify-enable")
    expect(page.locator("#notify-enable")).to_have_text("Notifications on")
    page.evaluate("window.__samePage = true")  # gone if the page ever reloads


def row_of(page: Page, conversation_id: str):
    return page.locator(f"#inbox-list tr[data-conversation='{conversation_id}']")


def test_two_agents_share_a_live_inbox_transfer_and_resolve(web_stack, browser, console_page, crm):
    stack = web_stack
    grace_page = console_page
    grace = add_agent(stack, Role.AGENT, "Grace")
    alan = add_agent(stack, Role.ADMIN, "Alan")
    with open_page(browser, stack.config.crm_url, timeout_ms=LIVE_MS) as alan_page:
        console_login(alan_page, alan)
        title = f"Greeting {uuid.uuid4().hex[:6]}"
        alan_page.goto("/console/canned")
        alan_page.fill("#canned-new input[name=title]", title)
        alan_page.fill("#canned-new textarea[name=body]", "Hi {first_name}, {agent_name} here. Let me look.")
        alan_page.click("#canned-new button")
        expect(alan_page.locator(".flash")).to_contain_text(title)
        expect(alan_page.locator(f"#canned-list input[name=title][value='{title}']")).to_have_count(1)
        open_inbox(alan_page)
        console_login(grace_page, grace)
        open_inbox(grace_page)

        sender = f"inbox-{uuid.uuid4().hex[:8]}"
        token = issue_customer_token(1, secret=stack.config.env["CUSTOMER_TOKEN_SECRET"], ttl_seconds=600)
        replies = send_rest(stack, sender, "I want to talk to a human", token)
        assert any("colleague" in r.get("text", "") for r in replies), replies
        for page in (grace_page, alan_page):
            row = row_of(page, sender)
            expect(row.locator("td.customer")).to_have_text("Ada Lovelace")
            expect(row.locator("td.assignee")).to_have_text("unassigned")
            page.wait_for_function("window.__notes.some(n => n.startsWith('Ada Lovelace is waiting'))")
            assert page.evaluate("window.__chimes") >= 1
        unread_before = int(row_of(alan_page, sender).locator("td.unread").inner_text() or 0)
        # Paused and still queued (nobody has claimed it): the bot acknowledges with the place in the queue.
        [ack] = send_rest(stack, sender, "are you there?", token)
        assert "in the queue" in ack.get("text", ""), ack
        for page in (grace_page, alan_page):
            expect(row_of(page, sender).locator("td.unread")).to_have_text(str(unread_before + 1))
            expect(row_of(page, sender).locator("td.last")).to_have_text("are you there?")
            page.wait_for_function("window.__notes.some(n => n.startsWith('New message from Ada Lovelace'))")

        row_of(grace_page, sender).locator("td.customer a").click()
        grace_page.get_by_role("button", name="Claim").click()
        expect(grace_page.locator("#handoff-status")).to_have_text("active")
        grace_page.evaluate("window.__handoffPage = true")
        expect(row_of(alan_page, sender).locator("td.assignee")).to_have_text("Grace")
        alan_page.click("button.view[data-view=unassigned]")
        expect(row_of(alan_page, sender)).to_have_count(0)
        alan_page.click("button.view[data-view=all]")
        expect(row_of(alan_page, sender)).to_have_count(1)

        grace_page.select_option("#canned-select", label=title)
        box = grace_page.locator("#reply-form textarea")
        expect(box).to_have_value("Hi Ada, Grace here. Let me look.")
        box.press("Enter")
        thread = grace_page.locator("#live-transcript")
        expect(thread.locator("li.msg.bot.agent").last).to_contain_text("Hi Ada, Grace here. Let me look.")
        expect(box).to_have_value("")
        assert "Hi Ada, Grace here. Let me look." in tracker_texts(stack, sender, "bot")

        grace_page.check("#note-mode")
        box.fill("Ada sounds upset: offer free shipping.")
        box.press("Enter")
        expect(thread.locator("li.msg.note")).to_contain_text("Ada sounds upset")
        assert not any("upset" in (t or "") for t in tracker_texts(stack, sender, "bot"))

        # Claimed: Grace answers, and the bot stays quiet.
        assert send_rest(stack, sender, "Monday it should have come", token) == []
        expect(thread).to_contain_text("Monday it should have come")  # the stream, no reload

        grace_page.select_option("#transfer-form select", label="Alan")
        grace_page.click("#transfer-form button")
        expect(grace_page.locator("#typing-note")).to_have_text("Another agent now serves this conversation.")
        expect(row_of(alan_page, sender).locator("td.assignee")).to_have_text("Alan")
        alan_page.click("button.view[data-view=mine]")
        expect(row_of(alan_page, sender)).to_have_count(1)
        assert alan_page.evaluate("window.__samePage") is True

        row_of(alan_page, sender).locator("td.customer a").click()
        alan_page.select_option("#status-form select", "pending")
        alan_page.click("#status-form button")
        expect(grace_page.locator("#inbox-status")).to_have_text("pending")
        alan_page.click("#handback-form button")
        alan_page.wait_for_url("**/console/handoffs?m=*")
        assert grace_page.evaluate("window.__handoffPage") is True
        expect(grace_page.locator("#handoff-status")).to_have_text("closed")

    crm.expire_all()
    handoff = crm.scalars(select(Handoff).where(Handoff.conversation_id == sender)).one()
    assert (handoff.status, handoff.inbox_status, handoff.agent_id) == ("closed", "resolved", alan.id)
    assert handoff.first_response_at is not None
    tickets = crm.scalars(select(Ticket).where(Ticket.conversation_id == sender)).all()
    assert tickets and all(t.status == "closed" for t in tickets)
    transfers = [
        e.detail
        for e in crm.scalars(select(AuditEntry).where(AuditEntry.entity_id == str(handoff.id)))
        if e.detail and "transfer_to" in e.detail
    ]
    assert transfers == [{"transfer_from": grace.id, "transfer_to": alan.id}]
