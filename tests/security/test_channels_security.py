"""The channels against an outsider (issue 14: findings 1 (channel side), 4, 8 and 10, and
metadata hygiene), on the real Rasa, action server and CRM.

Each test failed on the code before these fixes: the REST webhook took anyone's messages,
Telegram conversation ids were `tg-<chat>-<user>`, a `session_request` joined any room, a
socket.io message had no size limit, any origin could open a socket, a retried message id
replayed its replies to whoever sent it, and a client's `channel` metadata decided where a
handoff went.
"""

import asyncio
import time
import uuid

import httpx
import pytest
from sqlalchemy import select
from websockets.exceptions import InvalidStatus

from crm_backend.core.security import issue_customer_token
from crm_backend.customers.models import Customer
from crm_backend.handoff.models import Handoff
from crm_backend.handoff.rasa import RasaClient
from crm_backend.orders.models import Order
from protocol.conversations import telegram_conversation_id
from protocol.limits import MAX_MESSAGE_CHARS
from protocol.metadata import CLIENT_KEYS
from tests.channels.console_agent import wait_for_row
from tests.channels.socketio_client import SocketIOClient, started_sockets
from tests.stack_fixtures import rest_headers, stored_events, tracker_texts

pytestmark = pytest.mark.e2e

VICTIM = 1  # Ada Lovelace, with orders


def token_for(stack, customer_id: int) -> str:
    return issue_customer_token(customer_id, secret=stack.config.env["CUSTOMER_TOKEN_SECRET"], ttl_seconds=600)


def latest_order(crm, customer_id: int) -> Order:
    return crm.scalars(select(Order).where(Order.customer_id == customer_id).order_by(Order.placed_at.desc())).first()


def user_metadata(stack, sender: str) -> list[dict]:
    return [event.get("metadata") or {} for event in stored_events(stack, sender, "user")]


def all_texts(client: SocketIOClient) -> str:
    return " ".join(str(data) for _event, data in client.events)


# --- finding 1: conversation takeover ---------------------------------------------------


@pytest.mark.attack("conversation_takeover")
@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/webhooks/telegram/webhook"])
def test_the_rest_webhooks_refuse_anyone_without_the_channel_credential(web_stack, path):
    sender = "tg-" + uuid.uuid4().hex[:40].ljust(40, "0")
    for headers in ({}, {"Authorization": "Bearer " + "x" * 43}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = httpx.post(
            f"{web_stack.config.rasa_url}{path}", json={"sender": sender, "message": "hello"}, headers=headers
        )
        assert response.status_code == 401, (path, headers, response.text)
        assert response.json()["error"]["code"] == "unauthorized"
    assert tracker_texts(web_stack, sender, "user") == []  # nothing reached Rasa


@pytest.mark.attack("conversation_takeover")
def test_telegram_conversations_have_keyed_ids_only(web_stack):
    """The bridge's channel takes only keyed ids (tests/channels/telegram: the bridge makes them)."""
    url = f"{web_stack.config.rasa_url}/webhooks/telegram/webhook"
    guessable = httpx.post(url, json={"sender": "tg-42-42", "message": "hi"}, headers=rest_headers(web_stack))
    assert guessable.status_code == 400 and guessable.json()["error"]["code"] == "invalid_sender"
    keyed = telegram_conversation_id(42, 42, secret=web_stack.child_env()["CONVERSATION_ID_SECRET"])
    assert keyed != telegram_conversation_id(42, 42, secret="another secret of 32 characters!")
    answered = httpx.post(url, json={"sender": keyed, "message": "hi"}, headers=rest_headers(web_stack), timeout=60)
    assert answered.status_code == 200 and answered.json()
    assert tracker_texts(web_stack, "tg-42-42", "user") == []


@pytest.mark.attack("conversation_takeover")
async def test_an_outsider_socket_with_a_known_session_id_gets_a_session_of_its_own(web_stack):
    stack = web_stack
    async with started_sockets(stack.config.rasa_url) as (victim, outsider):
        victim_id = await victim.session()
        await victim.say("hello", "v1", token_for(stack, VICTIM))
        got = await outsider.session(victim_id)  # the id leaked; the proof did not
        assert got != victim_id
        await outsider.say("I want to talk to a human", "o1", session_id=victim_id)
        assert "I want to talk to a human" not in tracker_texts(stack, victim_id, "user")

        # The agent's message to the victim (it held the customer's address) reaches the victim only.
        secret_reply = f"Ada, we ship to your address {uuid.uuid4().hex[:6]}."
        rasa = RasaClient(stack.config.rasa_url, stack.child_env()["RASA_API_TOKEN"])
        rasa.send_agent_message(victim_id, secret_reply, channel="socketio", agent_id=1, agent_name="Sam")
        await victim.wait_for("bot_uttered", lambda data: data.get("text") == secret_reply)
        await asyncio.sleep(1.0)
        assert secret_reply not in all_texts(outsider)


# --- finding 4: one message-size limit ------------------------------------------------------


@pytest.mark.attack("message_size")
async def test_a_huge_socket_message_is_refused_at_once_without_stalling_others(web_stack):
    stack = web_stack
    async with started_sockets(stack.config.rasa_url) as (sender, other):
        huge_session = await sender.session()
        await other.session()
        started = time.monotonic()
        huge = asyncio.create_task(sender.say("x" * 100_000, "huge-1"))
        normal = asyncio.create_task(other.say("hello", "n1"))
        ack = await huge
        refused_after = time.monotonic() - started
        answered = await normal
        answered_after = time.monotonic() - started
    assert ack["error"] == "message_too_long" and ack["replies"] == [] and refused_after < 2.0
    [event] = sender.received("message_refused")
    assert event["code"] == "message_too_long" and str(MAX_MESSAGE_CHARS) in event["message"]
    assert answered["replies"] and answered_after < 20.0
    assert tracker_texts(stack, huge_session, "user") == []  # never reached Rasa


# --- finding 8: origins -----------------------------------------------------------------------


@pytest.mark.attack("socketio_origin")
async def test_a_websocket_from_another_origin_is_refused(web_stack):
    url = web_stack.config.rasa_url
    with pytest.raises(InvalidStatus) as refused:
        await SocketIOClient(url, origin="https://evil.example.net").start()
    assert refused.value.response.status_code == 403
    polling = f"{url}/socket.io/?EIO=4&transport=polling"
    assert httpx.get(polling, headers={"Origin": "https://evil.example.net"}).status_code == 403

    allowed = await SocketIOClient(url, origin=web_stack.config.crm_url).start()  # the demo shop's origin
    try:
        assert await allowed.session()
    finally:
        await allowed.close()
    assert httpx.get(polling, headers={"Origin": web_stack.config.crm_url}).status_code == 200


# --- finding 10: replayed replies ------------------------------------------------------------


@pytest.mark.attack("reply_replay")
async def test_replies_are_replayed_only_to_the_conversations_owner(web_stack, crm):
    stack = web_stack
    ada, order = crm.get(Customer, VICTIM), latest_order(crm, VICTIM)
    async with started_sockets(stack.config.rasa_url) as (victim, outsider):
        victim_id = await victim.session()
        message_id = f"secret-{uuid.uuid4().hex[:8]}"
        first = await victim.say(f"where is my order {order.number}", message_id, token_for(stack, VICTIM))
        assert ada.first_name in str(first["replies"])

        await outsider.session(victim_id)
        stolen = await outsider.say(f"where is my order {order.number}", message_id, retry=True, session_id=victim_id)
        assert ada.first_name not in str(stolen["replies"]) and ada.first_name not in all_texts(outsider)
        # On REST only the credentialed server may retry (and so have replies replayed).
        body = {"sender": victim_id, "message": "x", "message_id": message_id, "retry": True}
        assert httpx.post(f"{stack.config.rasa_url}/webhooks/rest/webhook", json=body).status_code == 401

        # The owner, from a new socket with the proof, gets its replies again.
        owner = await SocketIOClient(stack.config.rasa_url).start()
        try:
            assert await owner.session(victim_id, victim.session_proof) == victim_id
            again = await owner.say(f"where is my order {order.number}", message_id, retry=True)
        finally:
            await owner.close()
        assert [reply["text"] for reply in again["replies"]] == [reply["text"] for reply in first["replies"]]


# --- metadata hygiene -------------------------------------------------------------------------


@pytest.mark.attack("conversation_takeover")
def test_channels_pass_on_only_the_contracts_metadata_and_never_let_clients_name_the_channel(web_stack, crm):
    stack, sender = web_stack, f"hygiene-{uuid.uuid4().hex[:8]}"
    metadata = {"customer_token": token_for(stack, VICTIM), "channel": "telegram", "evil": "x", "channel_address": 7}
    body = {"sender": sender, "message": "I want to talk to a human", "metadata": metadata}
    url = f"{stack.config.rasa_url}/webhooks/rest/webhook"
    response = httpx.post(url, json=body, headers=rest_headers(stack), timeout=60)
    assert response.status_code == 200 and "colleague" in str(response.json())
    handoff = wait_for_row(crm, select(Handoff).where(Handoff.conversation_id == sender))
    assert handoff.channel == "rest" and handoff.channel_address is None  # Rasa's input channel decides
    [stored] = user_metadata(stack, sender)
    rasas_own = {"model_id", "assistant_id"}  # Rasa adds these to every user event
    assert "evil" not in stored and "channel" not in stored and set(stored) - rasas_own <= CLIENT_KEYS
