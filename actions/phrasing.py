"""Parts of a reply, worded in the domain's responses.

A whole reply is sent as `dispatcher.utter_message(response="utter_x", **values)` and Rasa
fills it in. Some replies are lists (orders, returns, suggestions): each line is worded
by a `utter_part_*` response and put together here, then passed to the whole reply as one
value. Rasa sends the domain with every action call, so the words stay in bot/domain/ and
a second language needs only new responses (conditional variations on a slot work here too).
"""

import re
from collections.abc import Mapping
from typing import Any

# Rasa's own rule (rasa.core.nlg.interpolator): `{name}` is a value, nothing else is.
_VARIABLE = re.compile(r"{([^\n{}]+?)}")


class MissingResponse(LookupError):
    """The domain has no usable variant of a response (a typo, or an old domain)."""


def phrase(domain: Mapping[str, Any], slots: Mapping[str, Any], name: str, **values: Any) -> str:
    """The text of response `name` with its `{variables}` filled from `values`.

    A variant whose conditions match the slots wins over the unconditional ones, as in Rasa
    (which picks at random among equals; this picks the first, so replies are stable)."""
    variants = [v for v in (domain.get("responses") or {}).get(name) or [] if isinstance(v, dict) and v.get("text")]
    matching = [v for v in variants if v.get("condition") and _matches(v["condition"], slots)]
    plain = [v for v in variants if not v.get("condition")]
    chosen = (matching or plain or [None])[0]
    if chosen is None:
        raise MissingResponse(f"the domain has no text for {name!r}")
    return _VARIABLE.sub(lambda match: _value(name, values, match.group(1)), chosen["text"])


def _value(name: str, values: Mapping[str, Any], key: str) -> str:
    # Rasa would leave the whole text unfilled; a missing value here is a bug in the action.
    if key not in values:
        raise MissingResponse(f"response {name!r} needs a value for {{{key}}}")
    return str(values[key])


def _matches(conditions: list[dict[str, Any]], slots: Mapping[str, Any]) -> bool:
    return all(c.get("type") == "slot" and slots.get(c.get("name")) == c.get("value") for c in conditions)
