"""A typed `/intent{...}` reaches Rasa as words; only the bot's own buttons pass (issue 16)."""

import asyncio
from types import SimpleNamespace

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.turns import screened_command

CSAT_BUTTONS = [{"title": str(n), "payload": f'/rate_csat{{"csat_score": {n}}}'} for n in range(1, 6)]


def agent_with(*events) -> SimpleNamespace:
    store = InMemoryTrackerStore(Domain.empty())
    asyncio.run(store.save(DialogueStateTracker.from_events("chat", list(events))))
    return SimpleNamespace(tracker_store=store)


def test_typed_commands_lose_their_slash_unless_the_bot_sent_them():
    agent = agent_with(
        UserUttered("cancel my order 702744"),
        BotUttered("Do you want me to cancel order 702744?", data={"buttons": [
            {"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]}),
    )  # fmt: skip
    screen = lambda text: asyncio.run(screened_command(agent, "chat", text))  # noqa: E731
    assert screen("/affirm") == "/affirm" and screen(" /deny ") == "/deny"
    assert screen("/restart") == "restart"
    assert screen('/rate_csat{"csat_score": 1}') == 'rate_csat{"csat_score": 1}'
    assert screen('/affirm{"order_id": "702733"}') == 'affirm{"order_id": "702733"}'
    assert screen("yes please") == "yes please"
    assert screen("//") == ""


def test_a_rating_passes_only_after_the_bot_asked_for_it():
    before = agent_with(UserUttered("hello"))
    assert asyncio.run(screened_command(before, "chat", CSAT_BUTTONS[0]["payload"])).startswith("rate_csat")
    asked = agent_with(UserUttered("hello"), BotUttered("How happy were you?", data={"buttons": CSAT_BUTTONS}))
    assert asyncio.run(screened_command(asked, "chat", CSAT_BUTTONS[0]["payload"])) == CSAT_BUTTONS[0]["payload"]
    assert asyncio.run(screened_command(SimpleNamespace(), "new", "/restart")) == "restart"
