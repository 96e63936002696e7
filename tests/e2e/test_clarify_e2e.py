"""A tie between two intents, through the real Rasa and action server: two buttons and
"something else"; a press continues exactly as the chosen intent would."""

import uuid

import pytest

from tests.actions.helpers import domain
from tests.stack_fixtures import send_rest, stored_events

pytestmark = pytest.mark.e2e

# Short messages that mean two things to a support desk (written for this test). Which of
# them the trained model finds tied depends on the model; at least one must be.
TWO_WAY = [
    "i want to change my order or return it",
    "change my details or switch account",
    "review complaint",
    "cancel and refund",
    "order delivery",
]


def latest_user_intent(stack, sender: str) -> dict:
    return stored_events(stack, sender, "user")[-1]["parse_data"]["intent"]


def actions_after_last_message(stack, sender: str) -> list[str]:
    """The actions Rasa ran for the conversation's latest message (what its flow did)."""
    events = stored_events(stack, sender)
    last_user = max(i for i, e in enumerate(events) if e["type_name"] == "user")
    return [e["name"] for e in events[last_user:] if e["type_name"] == "action" and e["name"] != "action_listen"]


def test_a_tie_gets_two_buttons_and_a_press_continues_with_the_chosen_intent(web_stack):
    responses = domain()["responses"]
    for text in TWO_WAY:
        sender = f"e2e-clarify-{uuid.uuid4().hex[:8]}"
        replies = send_rest(web_stack, sender, text)
        intent = latest_user_intent(web_stack, sender)
        if intent["name"] == "nlu_ambiguous":
            break
    else:
        pytest.fail(f"none of {TWO_WAY} was parsed as a tie; the AmbiguityClassifier never fires")

    first, second = intent["ambiguous_between"]
    (asked,) = [reply for reply in replies if reply.get("buttons")]
    assert asked["text"] == responses["utter_clarify_intent"][0]["text"]
    titles = [button["title"] for button in asked["buttons"]]
    assert titles == [
        responses[f"utter_intent_title_{first}"][0]["text"],
        responses[f"utter_intent_title_{second}"][0]["text"],
        responses["utter_clarify_something_else"][0]["text"],
    ]
    payloads = [button["payload"] for button in asked["buttons"]]
    assert [p.split("{")[0] for p in payloads] == [f"/{first}", f"/{second}", "/clarify_other"]

    # Press the second button: the chosen intent's own flow answers, as if it had been understood.
    pressed = send_rest(web_stack, sender, payloads[1])
    assert latest_user_intent(web_stack, sender)["name"] == second
    direct_sender = f"e2e-clarify-direct-{uuid.uuid4().hex[:8]}"
    direct = send_rest(web_stack, direct_sender, payloads[1])
    assert pressed and len(pressed) == len(direct)
    assert actions_after_last_message(web_stack, sender) == actions_after_last_message(web_stack, direct_sender)
    actions = [e["name"] for e in stored_events(web_stack, sender, "action")]
    assert actions.count("action_clarify_intent") == 1 and "action_handle_fallback" not in actions

    # "Something else" asks to rephrase in the clarification's own words. Pressed on a fresh
    # conversation with the same tie: in `sender` the second intent's flow may have started a
    # form (e.g. asking for the order number), which asks its question again after any aside.
    other_sender = f"e2e-clarify-other-{uuid.uuid4().hex[:8]}"
    (again,) = [reply for reply in send_rest(web_stack, other_sender, text) if reply.get("buttons")]
    assert [button["payload"] for button in again["buttons"]] == payloads
    other = send_rest(web_stack, other_sender, payloads[2])
    assert latest_user_intent(web_stack, other_sender)["name"] == "clarify_other"
    assert [r.get("text") for r in other] == [responses["utter_clarify_other"][0]["text"]]
    assert actions_after_last_message(web_stack, other_sender) == ["utter_clarify_other"]
