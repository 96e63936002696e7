from __future__ import annotations

import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from analytics.text import MessageClusterer, TopicModel, group_unrecognised, score_conversations, score_messages

# Written for these tests.
TOPIC_TEXTS = (
    [
        "where is my parcel delivery tracking number",
        "delivery late parcel courier tracking",
        "courier lost my parcel delivery",
    ]
    * 6
    + ["refund payment card charged twice", "refund my payment please card", "card payment failed refund"] * 6
    + ["reset password login account locked", "cannot login account password", "account password change"] * 6
)


def test_sentiment_direction_and_negation():
    scored = score_messages(
        ["This is great, thank you!", "terrible service, very slow", "the parcel is not good", "what time is it"]
    )
    assert list(scored["label"]) == ["positive", "negative", "negative", "neutral"]
    assert scored["sentiment"].between(-1, 1).all()


def test_conversation_sentiment_last_message_wins():
    messages = pd.DataFrame(
        {"conversation_id": [1, 1, 2, 2], "text": ["great thanks", "good", "great", "this is awful and useless"]}
    )
    conv = score_conversations(messages)
    assert conv.loc[1, "label"] == "positive"
    assert conv.loc[2, "label"] == "negative"
    with pytest.raises(ValueError, match="lack column"):
        score_conversations(messages.rename(columns={"text": "body"}))


def test_topic_model_finds_coherent_topics():
    model = TopicModel(n_topics=[2, 3], passes=5, random_state=0)
    assert model.fit(TOPIC_TEXTS) is model
    assert model.n_topics_ in (2, 3) and set(model.coherence_by_k_) == {2, 3}
    assert model.coherence_ == max(model.coherence_by_k_.values())
    doc_topics = model.transform(["my parcel delivery is late", "refund to my card"])
    assert doc_topics.shape[0] == 2
    again = TopicModel(n_topics=[2, 3], passes=5, random_state=0).fit(TOPIC_TEXTS)
    pd.testing.assert_frame_equal(model.topics(), again.topics())


def test_topic_model_bad_input():
    with pytest.raises(ValueError, match="two non-empty"):
        TopicModel().fit(["", "the and"])
    with pytest.raises(NotFittedError):
        TopicModel().topics()


@pytest.mark.parametrize("embedding", ["tfidf", "word2vec"])
def test_message_clusters_separate_themes(embedding):
    clusterer = MessageClusterer(embedding=embedding, k_range=(2, 4))
    labels = clusterer.fit(TOPIC_TEXTS).labels_
    themes = [i // 18 for i in range(len(TOPIC_TEXTS))]
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(themes, labels) > 0.5
    assert clusterer.clusters_["size"].sum() == len(TOPIC_TEXTS)


def test_group_unrecognised_outputs_and_errors():
    messages, groups = group_unrecognised(TOPIC_TEXTS[:9] + TOPIC_TEXTS[18:27], k_range=(2, 3))
    assert list(messages.columns) == ["text", "cluster"]
    assert {"cluster", "size", "terms", "examples"} <= set(groups.columns)
    with pytest.raises(ValueError, match="three"):
        group_unrecognised(["one", "two"])
