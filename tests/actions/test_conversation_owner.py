"""A token for someone else in a conversation that another customer owns: the actions ask for
a new chat and show nothing (against the real CRM service; trackers as Rasa sends them)."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.crm_client import CRMClient
from actions.identity import crm_client_for
from actions.orders import ActionOrderStatus
from actions.returns import ValidateReturnForm
from crm_backend.orders.models import OrderStatus
from tests.actions.helpers import domain, text_of
from tests.factories import add_order

BELONGS_TO_ANOTHER = [{"response": "utter_conversation_belongs_to_another"}]


def _in_conversation(tracker: Tracker, conversation_id: str) -> Tracker:
    state = tracker.current_state()
    state["sender_id"] = conversation_id
    for event in state["events"]:
        if event.get("event") == "user":
            event["input_channel"] = "socketio"  # Rasa's input channel that received it
    return Tracker.from_dict(state)


def _responses(dispatcher: CollectingDispatcher) -> list[dict]:
    return [{"response": m["response"]} if m.get("response") else {"text": m["text"]} for m in dispatcher.messages]


async def test_the_client_names_the_conversation_and_its_channel(action_env, tracker_for):
    tracker = _in_conversation(tracker_for("hi", "greet", customer_id=1), "web-a b/c")
    crm = crm_client_for(tracker)
    assert isinstance(crm, CRMClient) and crm.customer_token
    headers = crm._headers()
    assert headers["X-Conversation-Id"] == "web-a%20b%2Fc" and headers["X-Conversation-Channel"] == "socketio"


async def test_an_intruders_token_gets_a_new_chat_answer_and_nothing_else(action_env, tracker_for, crm_db):
    mine = add_order(crm_db, customer_id=230, status=OrderStatus.SHIPPED)
    theirs = add_order(crm_db, customer_id=231, status=OrderStatus.DELIVERED, delivered_days_ago=2)
    owner = tracker_for(f"where is {mine.number}", "order_status", customer_id=230, entities=_entity(mine.number))
    conversation = owner.sender_id
    dispatcher = CollectingDispatcher()
    await ActionOrderStatus().run(dispatcher, owner, domain())
    assert mine.number in text_of(dispatcher.messages[0])

    for number in (mine.number, theirs.number):
        intruder = tracker_for(f"where is {number}", "order_status", customer_id=231, entities=_entity(number))
        intruder = _in_conversation(intruder, conversation)
        dispatcher = CollectingDispatcher()
        await ActionOrderStatus().run(dispatcher, intruder, domain())
        assert _responses(dispatcher) == BELONGS_TO_ANOTHER

    form = tracker_for(theirs.number, "inform", customer_id=231, active_loop="return_form")
    dispatcher = CollectingDispatcher()
    result = await ValidateReturnForm().validate_order_id(
        theirs.number, dispatcher, _in_conversation(form, conversation), domain()
    )
    assert result == {"order_id": theirs.number, "request_refused": True}
    assert _responses(dispatcher) == BELONGS_TO_ANOTHER


def _entity(number: str) -> list[dict]:
    return [{"entity": "order_id", "value": number, "start": 9, "end": 9 + len(number)}]
