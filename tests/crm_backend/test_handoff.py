"""The handoff and CSAT actions against a real CRM: the conversation is paused and queued."""

import uuid

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.handoff import ActionHumanHandoff, ActionStoreCsat, bot_failed, conversation_summary
from crm_backend.handoff.models import CsatRating, Handoff
from tests.actions.conftest import action_env, live_crm_url, tracker_for  # noqa: F401 - fixtures
from tests.actions.helpers import text_of


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def test_summary_and_bot_failure_come_from_the_events():
    events = [
        {"event": "user", "text": "hello"},
        {"event": "action", "name": "action_handle_fallback"},
        {"event": "user", "text": "/human_handoff"},
        {"event": "user", "text": "a person please"},
    ]
    assert conversation_summary(events) == "hello\na person please"
    assert bot_failed(events) and not bot_failed(events[:1])


async def test_handoff_pauses_the_conversation_and_queues_it(action_env, tracker_for, db_session):  # noqa: F811
    tracker = tracker_for("let me talk to a person, I'm ada@example.com", "human_handoff", customer_id=1)
    tracker.sender_id = f"handoff-{uuid.uuid4().hex[:8]}"  # its own conversation: tickets are per sender
    messages, events = await run(ActionHumanHandoff(), tracker)
    assert [e["event"] for e in events] == ["slot", "pause"]
    # With the wait once agents have claimed chats before (the CRM times them), without it before.
    assert messages[0]["response"] in ("utter_handoff_queued", "utter_handoff_queued_eta")
    assert f"number {messages[0]['position']} in the queue" in text_of(messages[0])
    handoff = db_session.scalars(select(Handoff).where(Handoff.conversation_id == tracker.sender_id)).one()
    assert handoff.status == "queued" and handoff.customer_id == 1 and handoff.reason == "customer_asked"
    assert "[EMAIL]" in handoff.summary and "ada@example.com" not in handoff.summary


async def test_csat_is_stored_only_when_asked_and_only_once(action_env, tracker_for, db_session):  # noqa: F811
    """The CRM's rule: a rating needs the question of a hand back (a typed `/rate_csat{...}`
    stores nothing), and the conversation is rated once."""
    entities = [{"entity": "csat_score", "value": "4", "start": 0, "end": 1}]
    tracker = tracker_for('/rate_csat{"csat_score": 4}', "rate_csat", entities=entities)
    tracker.sender_id = f"csat-{uuid.uuid4().hex[:8]}"
    messages, _ = await run(ActionStoreCsat(), tracker)
    assert messages[0]["response"] == "utter_csat_not_open"
    assert db_session.scalars(select(CsatRating).where(CsatRating.conversation_id == tracker.sender_id)).all() == []
    db_session.add(Handoff(conversation_id=tracker.sender_id, channel="rest", reason="customer_asked", status="closed"))
    db_session.commit()
    messages, _ = await run(ActionStoreCsat(), tracker)
    assert messages[0]["response"] == "utter_thank_csat"
    rating = db_session.scalars(select(CsatRating).where(CsatRating.conversation_id == tracker.sender_id)).one()
    assert rating.score == 4 and rating.target == "bot"
    messages, _ = await run(ActionStoreCsat(), tracker)
    assert messages[0]["response"] == "utter_csat_not_open"
    assert len(db_session.scalars(select(CsatRating).where(CsatRating.conversation_id == tracker.sender_id)).all()) == 1
    messages, _ = await run(ActionStoreCsat(), tracker_for("great", "rate_csat"))
    assert messages[0]["response"] == "utter_ask_csat"
