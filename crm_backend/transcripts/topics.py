"""The conversation-analytics job: what customers ask about, and in what mood (it lives with
the transcripts it reads; its results are the insights context's `conversation_insights`).

    python -m crm_backend insights conversations

Reads the customers' messages from Rasa's tracker store (TRACKER_DB_URL), redacts personal
data, and runs the analytics library's text models: lexicon sentiment per conversation and
an LDA topic model (k chosen by coherence) whose dominant topic each conversation gets. One
row per conversation goes to `conversation_insights` for the console.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, delete, insert
from sqlalchemy.orm import Session

from analytics.text import TopicModel, score_conversations
from crm_backend.insights.models import ConversationInsight
from crm_backend.transcripts.tracker import user_messages
from redaction import redact

logger = logging.getLogger(__name__)

WRITE_BATCH = 5000
TOPIC_COUNTS = [3, 5, 8]


@dataclass(frozen=True)
class ConversationJobResult:
    model_version: str
    conversations: int
    topics: int
    coherence: float | None


def customer_messages(tracker: Engine) -> pd.DataFrame:
    """conversation_id, redacted text of every typed customer message (button payloads left out)."""
    rows = [
        (conversation_id, redact(text.strip()))
        for conversation_id, text in user_messages(tracker)
        if text.strip() and not text.strip().startswith("/")
    ]
    return pd.DataFrame(rows, columns=["conversation_id", "text"])


def dominant_topics(messages: pd.DataFrame) -> tuple[dict[str, tuple[int, str]], float | None, int]:
    """Each conversation's main topic and its words, the model's coherence, and the topic count."""
    try:
        model = TopicModel(n_topics=TOPIC_COUNTS, random_state=0).fit(messages["text"].tolist())
    except ValueError as error:  # too few or too short messages for a topic model
        logger.warning("topic model skipped: %s", error)
        return {}, None, 0
    words = {int(row.topic): str(row.words) for row in model.topics().itertuples(index=False)}
    joined = messages.groupby("conversation_id")["text"].apply(" ".join)
    topics = model.transform(joined.tolist())["topic"]
    dominant = {
        str(conversation_id): (int(topic), words.get(int(topic), ""))
        for conversation_id, topic in zip(joined.index, topics, strict=True)
    }
    return dominant, float(model.coherence_), int(model.n_topics_)


def run_conversation_job(db_session: Session, tracker: Engine, *, now: datetime | None = None) -> ConversationJobResult:
    """Analyse every conversation and replace `conversation_insights`; the caller commits."""
    now = now or datetime.now(UTC)
    version = f"conversations-{now:%Y%m%dT%H%M%S}"
    messages = customer_messages(tracker)
    if messages.empty:
        raise ValueError("the tracker store holds no customer messages yet")
    moods = score_conversations(messages)
    dominant, coherence, n_topics = dominant_topics(messages)
    rows = [
        {
            "conversation_id": str(conversation_id),
            "model_version": version,
            "analysed_at": now,
            "messages": int(row.messages),
            "sentiment": round(float(row.mean_sentiment), 4),
            "sentiment_label": str(row.label),
            "topic": dominant.get(str(conversation_id), (None, None))[0],
            "topic_terms": dominant.get(str(conversation_id), (None, None))[1],
        }
        for conversation_id, row in moods.iterrows()
    ]
    db_session.execute(delete(ConversationInsight))
    for start in range(0, len(rows), WRITE_BATCH):
        db_session.execute(insert(ConversationInsight), rows[start : start + WRITE_BATCH])
    logger.info("conversation job %s: %d conversations, %d topics", version, len(rows), n_topics)
    return ConversationJobResult(version, len(rows), n_topics, coherence)
