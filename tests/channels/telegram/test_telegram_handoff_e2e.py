"""A Telegram customer handed to a person and back, through every real entry point.

The update arrives at the real bridge (python-telegram-bot polling the stand-in Bot API), the
bridge posts it to Rasa's `telegram` input channel, the real action server queues the handoff
in the real CRM, an agent logged in to the console (over HTTP, with the session cookie and
CSRF token, as the browser sends them) claims it, replies and hands back, and the customer
rates the conversation with a button. Nothing here names the channel: Rasa's input channel
does (issue 13: the handoff used to be stored as `rest`, and agents' replies never arrived).
"""

import time

import pytest
from sqlalchemy import select

from crm_backend.handoff.models import CsatRating, Handoff, OutboundMessage
from protocol.conversations import telegram_conversation_id
from protocol.payloads import parse_button_payload
from tests.channels.console_agent import ConsoleAgent, wait_for_row
from tests.channels.telegram.fake_telegram import callback_update
from tests.stack_fixtures import add_agent, tracker_texts

pytestmark = pytest.mark.e2e

CUSTOMER_ID = 7


def test_a_telegram_customer_is_served_by_an_agent_and_rates_the_conversation(
    chat_with, link_code, crm, telegram_stack
):
    stack, fake = telegram_stack.stack, telegram_stack.fake
    me = chat_with(user_id=5201)
    assert me.ask(f"/start {link_code(CUSTOMER_ID)}")[0].startswith("Welcome, ")
    conversation_id = telegram_conversation_id(
        me.chat_id, me.user_id, secret=stack.child_env()["CONVERSATION_ID_SECRET"]
    )

    # 1-3. The customer asks for a person: the action server queues the handoff, as Telegram's.
    [queued] = me.ask("I want to talk to a human")
    assert "colleague" in queued
    handoff = wait_for_row(crm, select(Handoff).where(Handoff.conversation_id == conversation_id))
    assert (handoff.channel, handoff.channel_address) == ("telegram", str(me.chat_id))
    assert handoff.customer_id == CUSTOMER_ID and handoff.status == "queued"
    # Still queued (nobody has claimed it): the bot acknowledges with the place in the queue (issue 16).
    [ack] = me.answers(me.send("are you there?"))
    assert ack.method == "sendMessage" and "in the queue" in ack.text
    deadline = time.monotonic() + 30
    while "are you there?" not in tracker_texts(stack, conversation_id, "user"):
        assert time.monotonic() < deadline, tracker_texts(stack, conversation_id, "user")
        time.sleep(0.3)
    mark = fake.mark(me.token)  # what the bot sends from here on

    # 4. An agent claims it in the console and replies.
    agent = ConsoleAgent(stack.config.crm_url)
    try:
        agent.log_in(add_agent(stack, name="Robin").email)
        queue_page = agent.request("GET", "/console/handoffs").text
        assert f'data-handoff="{handoff.id}"' in queue_page
        agent.post_form(f"/console/handoffs/{handoff.id}/claim")
        reply = "Hi, Robin here. I can see your orders; how can I help?"
        agent.post_form(f"/console/handoffs/{handoff.id}/reply", text=reply)

        # 5. The reply reaches Telegram as a message to that chat.
        [delivered] = me.answers(mark)
        assert delivered.method == "sendMessage" and delivered.text == reply
        assert [call.text for call in fake.calls(me.token, "sendMessage")[-1:]] == [reply]

        # 6. The agent hands back; the rating question arrives with its buttons.
        mark = fake.mark(me.token)
        agent.post_form(f"/console/handoffs/{handoff.id}/handback")
    finally:
        agent.close()
    [question] = me.answers(mark)
    assert question.text.startswith("How happy")
    keyboard = question.params["reply_markup"]["inline_keyboard"]
    payloads = [parse_button_payload(row[0]["callback_data"]) for row in keyboard]
    assert payloads == [("rate_csat", {"csat_score": score}) for score in range(1, 6)]

    # ...and the customer's button press is stored as the rating of the agent's conversation.
    four = keyboard[3][0]["callback_data"]
    [thanks] = me.answers(me.push(callback_update(me.chat_id, me.user_id, four, question.result)))
    assert "Thank you for your rating" in thanks.text
    rating = wait_for_row(crm, select(CsatRating).where(CsatRating.conversation_id == conversation_id))
    assert (rating.score, rating.target, rating.handoff_id, rating.customer_id) == (4, "human", handoff.id, CUSTOMER_ID)
    crm.expire_all()
    outbox = crm.scalars(
        select(OutboundMessage).where(OutboundMessage.conversation_id == conversation_id).order_by(OutboundMessage.id)
    ).all()
    assert [message.channel_address for message in outbox] == [str(me.chat_id)] * 2
    assert all(message.delivered_at is not None for message in outbox)
