"""One contract, three channels: what each client receives for each kind of payload.

Text, buttons, product cards and an agent's message, through Rasa's REST channel (a trusted
server), the Telegram bridge (the stand-in Bot API sees what Telegram would) and the widget's
socket.io channel, against the real Rasa, action server and CRM. The shapes are those of
`protocol.payloads`; the ids and acknowledgements those of bot/channels/widget.py.
"""

import uuid

import pytest
from sqlalchemy import select

from crm_backend.core.security import issue_customer_token
from crm_backend.handoff.models import Handoff
from crm_backend.handoff.rasa import RasaClient
from crm_backend.orders.models import OrderStatus
from protocol import payloads
from protocol.conversations import is_widget_conversation_id, telegram_conversation_id
from tests.channels.console_agent import ConsoleAgent, wait_for_row
from tests.channels.socketio_client import SocketIOClient
from tests.channels.telegram.fake_telegram import callback_update
from tests.factories import add_order
from tests.stack_fixtures import add_agent, send_rest, tracker_texts

pytestmark = pytest.mark.e2e

CONTRACT_BUTTONS = [("affirm", {}), ("deny", {})]  # the cancellation question's


def token_for(stack, customer_id: int) -> str:
    return issue_customer_token(customer_id, secret=stack.config.env["CUSTOMER_TOKEN_SECRET"], ttl_seconds=600)


def check_cards(custom: dict) -> list[dict]:
    assert payloads.is_product_cards(custom), custom
    assert 1 <= len(custom["cards"]) <= payloads.MAX_CARDS
    for card in custom["cards"]:
        assert set(payloads.CARD_REQUIRED) <= set(card) <= {*payloads.CARD_REQUIRED, *payloads.CARD_OPTIONAL}, card
    return custom["cards"]


def pending_order(crm, customer_id: int):
    order = add_order(crm, customer_id=customer_id, status=OrderStatus.PROCESSING, placed_days_ago=0)
    crm.commit()
    return order


def push_agent_message(stack, conversation_id: str, channel: str, text: str) -> None:
    """What the console's reply does in Rasa (crm_backend/handoff/rasa.py)."""
    rasa = RasaClient(stack.config.rasa_url, stack.child_env()["RASA_API_TOKEN"])
    rasa.send_agent_message(conversation_id, text, channel=channel, agent_id=1, agent_name="Sam")


def test_rest_servers_get_the_contracts_shapes(web_stack, crm):
    stack, order = web_stack, pending_order(crm, 48)
    token, sender = token_for(stack, 48), f"contract-rest-{uuid.uuid4().hex[:8]}"
    [greeting] = send_rest(stack, sender, "hello")
    assert set(greeting) == {"recipient_id", "text"} and greeting["recipient_id"] == sender

    replies = send_rest(stack, sender, "what would you recommend for me?", token)
    assert [set(reply) for reply in replies] == [{"recipient_id", "text"}, {"recipient_id", "custom"}]
    check_cards(replies[1]["custom"])

    send_rest(stack, sender, "cancel my order", token)
    [question] = send_rest(stack, sender, order.number, token)
    assert [payloads.parse_button_payload(button["payload"]) for button in question["buttons"]] == CONTRACT_BUTTONS
    assert all(set(button) == {"title", "payload"} for button in question["buttons"])

    # An agent's message is stored; REST has no connection to push it on, and it is never replayed.
    push_agent_message(stack, sender, "rest", "Sam here, for the REST server.")
    assert "Sam here, for the REST server." in tracker_texts(stack, sender, "bot")
    assert all("Sam here" not in (reply.get("text") or "") for reply in send_rest(stack, sender, "no", token))


def test_telegram_users_get_the_contracts_shapes(chat_with, link_code, crm, telegram_stack):
    stack, order = telegram_stack.stack, pending_order(crm, 49)
    me = chat_with(user_id=5301)
    me.ask(f"/start {link_code(49)}")
    [greeting] = me.answers(me.send("hello"))
    assert greeting.method == "sendMessage" and "parse_mode" not in greeting.params
    assert "reply_markup" not in greeting.params and greeting.text.startswith("Hello")

    intro, *cards = me.answers(me.send("what would you recommend for me?"), count=4)
    assert intro.method == "sendMessage" and "parse_mode" not in intro.params
    assert [card.method for card in cards] == ["sendPhoto"] * 3
    assert all(card.params["parse_mode"] == "HTML" and card.text.startswith("<b>") for card in cards)

    me.ask("cancel my order")
    [question] = me.answers(me.send(order.number))
    keyboard = question.params["reply_markup"]["inline_keyboard"]
    assert [payloads.parse_button_payload(row[0]["callback_data"]) for row in keyboard] == CONTRACT_BUTTONS
    deny = me.push(callback_update(me.chat_id, me.user_id, keyboard[1][0]["callback_data"], question.result))
    assert [call.text for call in me.answers(deny)] == [f"All right, order {order.number} stays as it is."]

    # An agent's message reaches the chat through the outbox, as a plain message.
    conversation_id = telegram_conversation_id(
        me.chat_id, me.user_id, secret=stack.child_env()["CONVERSATION_ID_SECRET"]
    )
    me.ask("I want to talk to a human")
    handoff = wait_for_row(crm, select(Handoff).where(Handoff.conversation_id == conversation_id))
    agent = ConsoleAgent(stack.config.crm_url)
    try:
        agent.log_in(add_agent(stack, name="Kim").email)
        agent.post_form(f"/console/handoffs/{handoff.id}/claim")
        mark = telegram_stack.fake.mark(me.token)
        agent.post_form(f"/console/handoffs/{handoff.id}/reply", text="Kim here <b>not markup</b>")
        [pushed] = me.answers(mark)
        agent.post_form(f"/console/handoffs/{handoff.id}/handback")
    finally:
        agent.close()
    assert pushed.method == "sendMessage" and pushed.text == "Kim here <b>not markup</b>"
    assert "parse_mode" not in pushed.params and "reply_markup" not in pushed.params


async def test_widget_sockets_get_the_contracts_shapes(web_stack, crm):
    stack, order = web_stack, pending_order(crm, 50)
    token = token_for(stack, 50)
    client = await SocketIOClient(stack.config.rasa_url).start()
    try:
        session_id = await client.session()
        assert is_widget_conversation_id(session_id) and client.session_proof

        ack = await client.say("hello", "c1")
        assert ack["message_id"] == "c1" and [set(reply) for reply in ack["replies"]] == [{"text", "metadata"}]
        stamp = ack["replies"][0]["metadata"]
        assert (stamp["id"], stamp["reply_to"], set(stamp)) == ("c1#1", "c1", {"id", "reply_to", "at"})
        live = await client.wait_for("bot_uttered", lambda data: data.get("metadata", {}).get("id") == "c1#1")
        assert live == ack["replies"][0]  # the same reply, live and acknowledged

        ack = await client.say("what would you recommend for me?", "c2", token)
        [custom] = [reply for reply in ack["replies"] if "custom" in reply]
        assert set(custom) == {"custom", "metadata"}
        check_cards(custom["custom"])

        await client.say("cancel my order", "c3", token)
        ack = await client.say(order.number, "c4", token)
        [question] = [reply for reply in ack["replies"] if reply.get("quick_replies")]
        quick = question["quick_replies"]
        assert [payloads.parse_button_payload(button["payload"]) for button in quick] == CONTRACT_BUTTONS
        assert all(button["content_type"] == "text" and button["title"] for button in quick)

        push_agent_message(stack, session_id, "socketio", "Sam here, live.")
        pushed = await client.wait_for("bot_uttered", lambda data: data.get("text") == "Sam here, live.")
        assert set(pushed) == {"text", "metadata"} and set(pushed["metadata"]) == {"id", "at", "agent"}
        assert len(pushed["metadata"]["id"]) == 32 and pushed["metadata"]["agent"] == {
            "id": 1,
            "name": "Sam",
        }  # its own id, answering no message
    finally:
        await client.close()
