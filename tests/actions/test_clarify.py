"""action_clarify_intent: the two close intents as buttons, titled from the domain, plus "something else"."""

import json

from rasa_sdk import Tracker

from actions.clarify import ActionClarifyIntent
from tests.actions.helpers import buttons_of, domain, run, text_of


def ambiguous_tracker(ranking: list[tuple[str, float]], entities: list[dict] | None = None, named=None) -> Tracker:
    intent = {"name": "nlu_ambiguous", "confidence": ranking[0][1]}
    if named is not None:
        intent["ambiguous_between"] = named
    parse_data = {
        "text": "refund for 702733",
        "intent": intent,
        "intent_ranking": [dict(intent)] + [{"name": n, "confidence": c} for n, c in ranking],
        "entities": entities or [],
    }
    return Tracker.from_dict(
        {
            "sender_id": "clarify-test",
            "slots": {},
            "latest_message": parse_data,
            "events": [{"event": "user", "text": parse_data["text"], "parse_data": parse_data}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


async def test_offers_the_two_close_intents_with_their_entities_and_something_else():
    entities = [{"entity": "order_id", "value": "702733", "start": 11, "end": 17}]
    tracker = ambiguous_tracker([("request_refund", 0.41), ("refund_status", 0.37), ("get_invoice", 0.1)], entities)
    messages, events = await run(ActionClarifyIntent(), tracker)
    assert events == []
    (message,) = messages
    assert text_of(message) == domain()["responses"]["utter_clarify_intent"][0]["text"]
    buttons = buttons_of(message)
    assert [b["title"] for b in buttons] == ["Get my money back", "Where my refund is", "Something else"]
    assert buttons[0]["payload"] == '/request_refund{"order_id": "702733"}'
    assert json.loads(buttons[1]["payload"].removeprefix("/refund_status")) == {"order_id": "702733"}
    assert buttons[2]["payload"] == "/clarify_other"


async def test_the_classifier_s_named_pair_wins_over_the_ranking_order():
    tracker = ambiguous_tracker(
        [("nlu_fallback", 0.3), ("order_status", 0.4), ("delivery_time", 0.38)],
        named=["delivery_time", "order_status"],
    )
    messages, _ = await run(ActionClarifyIntent(), tracker)
    assert [b["payload"] for b in buttons_of(messages[0])] == ["/delivery_time", "/order_status", "/clarify_other"]


async def test_an_intent_without_a_title_asks_to_rephrase_instead():
    tracker = ambiguous_tracker([("faq", 0.41), ("order_status", 0.4)])
    messages, _ = await run(ActionClarifyIntent(), tracker)
    assert [m["response"] for m in messages] == ["utter_ask_rephrase"]
    assert not buttons_of(messages[0])


def test_every_intent_that_may_be_offered_has_a_title():
    """The AmbiguityClassifier offers any intent not excluded in config.yml: each needs a title."""
    import yaml

    from tests.actions.helpers import DOMAIN_DIR

    config = yaml.safe_load((DOMAIN_DIR.parents[1] / "config.yml").read_text())
    step = next(c for c in config["pipeline"] if c["name"].endswith("AmbiguityClassifier"))
    intents = set()
    for path in DOMAIN_DIR.glob("*.yml"):
        for item in (yaml.safe_load(path.read_text()) or {}).get("intents") or []:
            intents.add(item if isinstance(item, str) else next(iter(item)))
    offered = intents - set(step["excluded_intents"]) - {"nlu_fallback", "nlu_ambiguous"}
    missing = sorted(i for i in offered if f"utter_intent_title_{i}" not in domain()["responses"])
    assert offered and not missing
