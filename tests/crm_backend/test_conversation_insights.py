"""The conversation-analytics job over Rasa's stored events: mood and topic per conversation."""

import pytest
from sqlalchemy import select

from crm_backend.core.db import make_engine, make_session_factory, session_scope, upgrade_database
from crm_backend.insights.models import ConversationInsight
from crm_backend.transcripts.topics import run_conversation_job
from tests.fake_events import ConversationWriter, create_tracker_schema, write

HAPPY = [
    "thanks so much, the delivery was fast and the teapot is lovely",
    "great service, I love the candle, thank you",
    "perfect, my parcel arrived early, excellent",
]
UNHAPPY = [
    "my vase arrived broken, this is terrible and I am angry",
    "awful experience, the parcel is late again and nobody helps",
    "the refund is still missing, really bad and disappointing",
]


@pytest.fixture
def databases(tmp_path):
    crm_url = f"sqlite:///{tmp_path / 'crm.db'}"
    upgrade_database(crm_url)
    tracker = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    create_tracker_schema(tracker)
    crm = make_engine(crm_url)
    yield make_session_factory(crm), tracker
    crm.dispose()
    tracker.dispose()


def conversation(sender: str, texts: list[str]) -> ConversationWriter:
    writer = ConversationWriter(sender_id=sender, start_ts=1_790_000_000.0)
    for text in texts:
        writer.user(text, "complaint").action("action_listen")
    writer.user("/affirm", "affirm")  # a button press: not the customer's words
    return writer


def test_each_conversation_gets_its_mood_and_a_topic(databases):
    factory, tracker = databases
    writers = [conversation(f"happy-{i}", [text, HAPPY[(i + 1) % 3]]) for i, text in enumerate(HAPPY)]
    writers += [conversation(f"unhappy-{i}", [text, UNHAPPY[(i + 1) % 3]]) for i, text in enumerate(UNHAPPY)]
    writers.append(conversation("with-pii", ["write to me at ada.lovelace@example.com about the broken lamp"]))
    write(tracker, writers)

    for db_session in session_scope(factory):
        result = run_conversation_job(db_session, tracker)
    with factory() as db_session:
        insights = {row.conversation_id: row for row in db_session.scalars(select(ConversationInsight))}

    assert result.conversations == len(insights) == 7
    assert all(insights[f"happy-{i}"].sentiment_label == "positive" for i in range(3))
    assert all(insights[f"unhappy-{i}"].sentiment_label == "negative" for i in range(3))
    assert all(row.messages == (1 if row.conversation_id == "with-pii" else 2) for row in insights.values())
    assert result.topics >= 3 and result.coherence is not None
    assert all(row.topic is not None and row.topic_terms for row in insights.values())
    assert not any("ada.lovelace" in (row.topic_terms or "") for row in insights.values())


def test_an_empty_tracker_gets_a_clear_error(databases):
    factory, tracker = databases
    with factory() as db_session, pytest.raises(ValueError, match="no customer messages"):
        run_conversation_job(db_session, tracker)
