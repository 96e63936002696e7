"""The customer always knows who is talking: an agent's name and avatar, notices when a person
joins and when the assistant is back, times, delivery states, and a header that promises a quick
human answer only while an agent is signed in (asked of the CRM)."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete

from crm_backend.agents.models import AgentSession
from crm_backend.handoff.rasa import RasaClient
from tests.channels.console_agent import ConsoleAgent
from tests.stack_fixtures import (
    BOT_REPLY_TIMEOUT_MS,
    add_agent,
    bot_texts,
    open_chat,
    open_page,
    say,
    wait_for_bot,
)

pytestmark = pytest.mark.e2e

ONLINE = "We usually answer at once"
OFFLINE = "Our assistant answers now; our team is offline."


def test_the_header_promises_a_person_only_while_an_agent_is_signed_in(page, browser, web_stack, crm):
    crm.execute(delete(AgentSession))  # every agent signed out
    crm.commit()
    open_chat(page)
    subtitle = page.locator(".cw-subtitle")
    expect(subtitle).to_have_text(OFFLINE)
    expect(page.locator(".cw-header")).not_to_contain_text(ONLINE)

    agent = add_agent(web_stack, name="Ada")
    console = ConsoleAgent(web_stack.config.crm_url)
    try:
        console.log_in(agent.email)
        with open_page(browser, web_stack.config.crm_url) as later:  # a new visitor (the answer is cached 30 s)
            open_chat(later)
            expect(later.locator(".cw-subtitle")).to_have_text(ONLINE)
    finally:
        console.close()


def test_an_agents_messages_carry_their_name_and_the_handback_is_announced(page, web_stack):
    open_chat(page)
    say(page, "I want to talk to a human")
    wait_for_bot(page, 2)
    user_line = page.locator(".cw-delivery").last
    expect(user_line).to_be_hidden()  # acknowledged: no "Sending…" left
    conversation_id = page.evaluate("ConciergeWidget.instance.state.sessionId")

    # What the console's reply does (crm_backend/handoff/rasa.py), into the open widget.
    rasa = RasaClient(web_stack.config.rasa_url, web_stack.child_env()["RASA_API_TOKEN"])
    rasa.send_agent_message(conversation_id, "Hi, Ada here.", channel="socketio", agent_id=1, agent_name="Ada")
    log = page.locator(".cw-log")
    expect(log.locator(".cw-notice").last).to_have_text("Ada from Support joined", timeout=15_000)
    expect(log.locator(".cw-agent").last).to_have_text("AAda")  # avatar initial, then the name
    agent_message = log.locator(".cw-bot.cw-from-agent").last
    expect(agent_message).to_have_text("Hi, Ada here.")
    assert agent_message.get_attribute("data-time")  # a time under it
    rasa.send_agent_message(conversation_id, "Checking now.", channel="socketio", agent_id=1, agent_name="Ada")
    expect(log.locator(".cw-from-agent")).to_have_count(2, timeout=15_000)
    expect(log.locator(".cw-notice", has_text="joined")).to_have_count(1)  # announced once

    rasa.resume(conversation_id)  # handed back
    before = len(bot_texts(page))
    say(page, "hello")
    wait_for_bot(page, before + 1)
    expect(log.locator(".cw-notice").last).to_have_text("You're back with the assistant")
    assert not page.locator(".cw-bot").last.evaluate("node => node.classList.contains('cw-from-agent')")

    # The same after a reload, from the widget's own storage.
    shown = log.locator("> *").all_inner_texts()
    page.reload()
    expect(page.locator(".cw-launcher")).to_have_attribute("aria-expanded", "true")
    assert page.locator(".cw-log > *").all_inner_texts() == shown


# Installed in the page: the next message is lost before it reaches the server, and its
# acknowledgement never comes (the socket's timeout fires).
LOSE_NEXT_MESSAGE = """() => {
  const socket = ConciergeWidget.instance.socket;
  const timeout = socket.timeout;
  socket.timeout = (ms) => {
    socket.timeout = timeout;
    return { emit: (event, data, callback) => setTimeout(() => callback(new Error("timeout")), 10) };
  };
}"""


def test_a_message_without_an_answer_says_so_and_can_be_retried(page, web_stack):
    open_chat(page)
    page.evaluate(LOSE_NEXT_MESSAGE)
    say(page, "hello")
    line = page.locator(".cw-delivery").last
    expect(line).to_contain_text("Not delivered")
    line.get_by_role("button", name="Retry").click()
    expect(page.locator(".cw-delivery").last).to_be_hidden(timeout=BOT_REPLY_TIMEOUT_MS)  # acknowledged
    replies = wait_for_bot(page, 2)
    assert replies[1].startswith("Hello") and page.locator(".cw-user").all_inner_texts() == ["hello"]
