"""The blind NLU set stays blind and well-formed, and its scoring counts what it claims."""

from bench.nlu.blind import FAQ_TOPICS, load_blind, normalised, predicted_label, score, training_texts


def test_the_blind_set_is_big_and_well_formed():
    rows = load_blind()
    assert len(rows) >= 1000
    assert sum(row["intent"] == "out_of_scope" for row in rows) >= 100
    for row in rows:
        for entity in row["entities"]:
            assert 0 <= entity["start"] < entity["end"] <= len(row["text"]), row


def test_the_blind_set_is_not_copied_into_the_training_data():
    """Short canonical questions ("delete my account") coincide by nature: about 7% of the
    messages of three words or more do today. A copy of the set into nlu_data/ would push
    this far past the bound."""
    rows = [row for row in load_blind() if len(row["text"].split()) >= 3]
    trained = training_texts()
    overlap = sum(normalised(row["text"]) in trained for row in rows)
    assert overlap / len(rows) <= 0.10


def test_faq_parses_map_to_their_topic_and_fallbacks_count():
    faq = {
        "intent": {"name": "faq"},
        "response_selector": {"faq": {"response": {"intent_response_key": "faq/warranty"}}},
    }
    assert "warranty" in FAQ_TOPICS
    assert predicted_label(faq) == "warranty"
    rows = [
        {"text": "a", "intent": "warranty", "entities": []},
        {
            "text": "b",
            "intent": "order_status",
            "entities": [{"entity": "order_id", "start": 0, "end": 1, "value": "b"}],
        },
        {"text": "c", "intent": "out_of_scope", "entities": []},
    ]
    parses = [
        faq,
        {"intent": {"name": "nlu_fallback"}, "entities": [{"entity": "order_id", "start": 0, "end": 1}]},
        {"intent": {"name": "greet"}, "entities": []},
    ]
    result = score(rows, parses)
    assert result["blind_intent_accuracy"] == 0.5
    assert result["blind_fallback_rate"] == 0.5
    assert result["blind_oos_recall"] == 0.0
    assert result["blind_entity_f1"] == 1.0
