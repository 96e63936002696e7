"""Running actions as the action server does, and reading their replies as the customer sees them."""

import functools
import re
from pathlib import Path

import yaml
from rasa_sdk.executor import CollectingDispatcher

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"
# What rasa_sdk's dispatcher puts in every message; everything else is a response variable.
MESSAGE_KEYS = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}


@functools.cache
def domain() -> dict:
    """The assistant's domain as Rasa sends it to the action server: here, its responses."""
    responses: dict = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        responses.update((yaml.safe_load(path.read_text()) or {}).get("responses") or {})
    return {"responses": responses}


def text_of(message: dict) -> str:
    """The text the customer sees for one dispatched message, filled in like Rasa fills it.

    Strict where Rasa is lenient: a variable the action did not supply fails the test
    (Rasa would send the unfilled text)."""
    if not message.get("response"):
        return message["text"]
    template = domain()["responses"][message["response"]][0]["text"]
    values = {key: value for key, value in message.items() if key not in MESSAGE_KEYS}
    return re.sub(r"{([^\n{}]+?)}", lambda match: str(values[match.group(1)]), template)


def buttons_of(message: dict) -> list[dict]:
    """The buttons the customer sees: the response's own, then any the action added."""
    own = domain()["responses"][message["response"]][0].get("buttons", []) if message.get("response") else []
    return own + (message.get("buttons") or [])


async def run(action, tracker) -> tuple[list[dict], list[dict]]:
    """Run an action as the action server does, with the domain; (messages, events)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain())
    return dispatcher.messages, events


async def validate(validator, slot: str, value, tracker) -> tuple[list[dict], dict]:
    dispatcher = CollectingDispatcher()
    result = await getattr(validator, f"validate_{slot}")(value, dispatcher, tracker, domain())
    return dispatcher.messages, result
