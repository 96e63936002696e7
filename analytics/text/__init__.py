"""Conversation analytics over lists of strings / DataFrames.

- :class:`analytics.text.topics.TopicModel`        gensim LDA with coherence
- :func:`analytics.text.sentiment.score_messages`, :func:`score_conversations`  lexicon sentiment
- :class:`analytics.text.clusters.MessageClusterer`, :func:`group_unrecognised`  message groups
"""

from analytics.text.clusters import MessageClusterer, group_unrecognised
from analytics.text.sentiment import score_conversations, score_messages, score_text
from analytics.text.topics import TopicModel

__all__ = [
    "MessageClusterer",
    "TopicModel",
    "group_unrecognised",
    "score_conversations",
    "score_messages",
    "score_text",
]
