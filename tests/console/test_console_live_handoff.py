"""An agent takes over a live conversation that a customer started in the web widget.

Two people, two browser contexts against the real processes. The customer, on the demo shop
page (signed in as Ada by the demo token), asks the bot for a human. The agent sees the
conversation queued in the console, claims it and replies; the reply appears in the
customer's open widget without a reload (Rasa pushes it to the conversation's socket.io
room). The customer answers and the agent sees it in the live transcript. The agent hands
back; the widget shows the rating question with buttons, and the customer's click is
stored as a rating of the human who served them.
"""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm_backend.agents.models import Role
from crm_backend.core.db import make_engine, make_session_factory
from crm_backend.handoff.models import CsatRating, Handoff
from tests.stack_fixtures import BOT_REPLY_TIMEOUT_MS, add_agent, bot_texts, console_login, open_chat, say

pytestmark = pytest.mark.e2e
CSAT_COLUMN = 9  # of the console's conversation list


def test_agent_takes_over_a_widget_conversation_replies_live_and_is_rated(web_stack, customer_page, console_page):
    customer, console = customer_page, console_page
    open_chat(customer)
    before = len(bot_texts(customer))  # the greeting
    say(customer, "I want to talk to a human")
    bot = customer.locator(".cw-log .cw-bot[data-kind=text]")
    expect(bot).to_have_count(before + 1, timeout=BOT_REPLY_TIMEOUT_MS)
    expect(bot.last).to_contain_text("colleague")
    conversation_id = customer.evaluate("ConciergeWidget.instance.state.sessionId")
    assert conversation_id
    customer.evaluate("window.__samePage = true")  # gone if the customer's page ever reloads

    agent = add_agent(web_stack, Role.AGENT, "Grace")
    console_login(console, agent)
    console.goto("/console/handoffs")
    queued = console.locator(f"#queue tr[data-conversation='{conversation_id}']")
    expect(queued).to_contain_text("socketio")
    expect(queued).to_contain_text("I want to talk to a human")  # the summary
    queued.get_by_role("button", name="Claim").click()
    console.wait_for_url("**/console/handoffs/*")
    expect(console.locator("#handoff-status")).to_have_text("active")
    expect(console.locator("#customer-360")).to_contain_text("Lovelace")

    reply = "Hi Ada, Grace here. I'm looking at your parcel now."
    console.fill("#reply-form textarea", reply)
    console.click("#reply-form button")
    expect(bot.last).to_have_text(reply, timeout=15_000)  # pushed into the open widget
    expect(bot).to_have_count(before + 2)

    answer = "Thank you Grace, it should have come on Monday."
    say(customer, answer)
    expect(console.locator("#live-transcript")).to_contain_text(answer, timeout=15_000)  # the console polls
    expect(customer.locator(".cw-typing")).to_be_hidden()
    expect(bot).to_have_count(before + 2)  # paused: the bot said nothing

    console.click("#handback-form button")
    console.wait_for_url("**/console/handoffs?m=*")
    expect(bot.last).to_contain_text("How happy were you", timeout=15_000)
    buttons = customer.locator(".cw-quick-replies").last.get_by_role("button")
    expect(buttons).to_have_text(["1", "2", "3", "4", "5"])
    buttons.filter(has_text="5").click()
    expect(customer.locator(".cw-user").last).to_have_text("5")
    expect(bot.last).to_contain_text("Thank you for your rating", timeout=BOT_REPLY_TIMEOUT_MS)
    assert customer.evaluate("window.__samePage") is True

    engine = make_engine(web_stack.config.env["DATABASE_URL"])
    with make_session_factory(engine)() as db_session:
        rating = db_session.scalars(select(CsatRating).where(CsatRating.conversation_id == conversation_id)).one()
        handoff = db_session.get(Handoff, rating.handoff_id)
    engine.dispose()
    assert (rating.score, rating.target, rating.customer_id) == (5, "human", 1)
    assert (handoff.agent_id, handoff.status, handoff.channel) == (agent.id, "closed", "socketio")

    console.goto("/console/conversations?handoff=yes&csat_max=5")
    row = console.locator(f"#conversation-list tr[data-conversation='{conversation_id}']")
    expect(row.locator("td").nth(CSAT_COLUMN)).to_have_text("5")
