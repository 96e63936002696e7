"""Rasa's SQL tracker store, writing conversations with their personal data masked.

Rasa has understood the message, and the actions have used it, before the tracker is
saved: masking what is *written* costs the conversation nothing in the turn itself. Later
turns read the masked events back, which is why only what no later turn needs is masked:
texts keep their intent, entities keep their names and (shifted) offsets, and only values
that hold PII become labels. The customer token never rests: user metadata keeps only
`protocol.metadata.STORED_KEYS` (plus Rasa's model and assistant ids), and the token's
exact text is struck from anything else it was copied into.

Events sent to an event broker are masked the same way.

Configured in bot/endpoints.yml:

    tracker_store:
      type: bot.tracker_store.RedactingSQLTrackerStore
      url: ${TRACKER_DB_URL}
      private_slots: [new_address]   # slots whose whole value is masked, found or not
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.constants import ASSISTANT_ID_KEY
from rasa.shared.core.constants import SESSION_START_METADATA_SLOT
from rasa.shared.core.events import Event
from rasa.shared.nlu.constants import METADATA_MODEL_ID

from protocol.metadata import CUSTOMER_TOKEN, stored_metadata
from redaction import PiiSpan, get_redactor, mask, masked_offset

logger = logging.getLogger(__name__)

RASA_METADATA_KEYS = (METADATA_MODEL_ID, ASSISTANT_ID_KEY)  # which model answered: not personal
PRIVATE_VALUE = "[REDACTED]"
TOKEN_MASK = "[TOKEN]"
_LINKS = ("http://", "https://", "/", "data:")  # image and button links stay usable


class RedactingSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` whose rows (and published events) hold no PII and no token."""

    def __init__(self, *args: Any, private_slots: Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.private_slots = frozenset(private_slots or ())

    def _additional_events(self, session: Any, tracker: Any) -> Iterator[Event]:
        """The events `save` writes: the new ones, masked."""
        return iter(self.redacted(list(super()._additional_events(session, tracker))))

    async def _stream_new_events(self, event_broker: Any, new_events: list[Event], sender_id: str) -> None:
        await super()._stream_new_events(event_broker, self.redacted(new_events), sender_id)

    def redacted(self, events: list[Event]) -> list[Event]:
        """Masked copies of `events` (an event with nothing to mask is kept as it is)."""
        tokens = customer_tokens(events)
        masked = []
        for event in events:
            data = event.as_dict()
            clean = redact_event(data, private_slots=self.private_slots, secrets=tokens)
            copy = event if clean == data else Event.from_parameters(clean)
            if copy is None:  # not expected: Rasa reads every stored event back the same way
                raise ValueError(f"Cannot rebuild a masked {event.type_name} event")
            masked.append(copy)
        return masked


def customer_tokens(events: Iterable[Event]) -> set[str]:
    """The customer tokens the user messages among `events` carried."""
    tokens = set()
    for event in events:
        token = (getattr(event, "metadata", None) or {}).get(CUSTOMER_TOKEN)
        if isinstance(token, str) and token:
            tokens.add(token)
    return tokens


def redact_event(
    data: dict[str, Any], *, private_slots: frozenset[str] = frozenset(), secrets: Iterable[str] = ()
) -> dict[str, Any]:
    """A masked copy of one event's dict (`Event.as_dict()`); `data` itself is not changed."""
    kind = data.get("event")
    clean = dict(data)
    if isinstance(data.get("metadata"), dict):
        # A bot event's metadata holds the response's variables (an address read back): masked too.
        metadata = data["metadata"]
        clean["metadata"] = _user_metadata(metadata) if kind == "user" else _redact_strings(_without_token(metadata))
    if kind == "user":
        clean.update(_redacted_user_message(data))
    elif kind in ("bot", "agent"):
        clean.update({key: _redact_strings(data[key]) for key in ("text", "data") if key in data})
    elif kind == "slot":
        clean["value"] = _slot_value(data.get("name"), data.get("value"), private_slots)
    elif kind == "entities":
        clean["entities"] = _redact_strings(data.get("entities"))
    elif kind == "action" and isinstance(data.get("action_text"), str):
        clean["action_text"] = _redact_strings(data["action_text"])
    return _strike(clean, [secret for secret in secrets if secret])


def _redacted_user_message(data: dict[str, Any]) -> dict[str, Any]:
    text = data.get("text")
    spans = get_redactor().find(text) if isinstance(text, str) else []
    masked_text = mask(text, spans) if isinstance(text, str) else text
    changes: dict[str, Any] = {"text": masked_text}
    parse_data = data.get("parse_data")
    if isinstance(parse_data, dict):
        parse = dict(parse_data)
        if "text" in parse:
            parse["text"] = masked_text if parse["text"] == text else _redact_strings(parse["text"])
        if isinstance(parse.get("metadata"), dict):
            parse["metadata"] = _user_metadata(parse["metadata"])
        if isinstance(parse.get("entities"), list):
            parse["entities"] = [_masked_entity(entity, spans) for entity in parse["entities"]]
        changes["parse_data"] = parse
    return changes


def _masked_entity(entity: Any, spans: list[PiiSpan]) -> Any:
    """The entity with offsets into the masked text; a value over PII becomes the label."""
    if not isinstance(entity, dict):
        return entity
    clean = dict(entity)
    start, end = entity.get("start"), entity.get("end")
    located = isinstance(start, int) and isinstance(end, int)
    overlapping = [span for span in spans if span.start < end and start < span.end] if located else []
    if overlapping:
        clean["value"] = " ".join(f"[{span.label}]" for span in overlapping)
    elif "value" in clean:
        clean["value"] = _redact_strings(clean["value"])
    if located:
        clean["start"], clean["end"] = masked_offset(spans, start), masked_offset(spans, end, end=True)
    return clean


def _slot_value(name: Any, value: Any, private_slots: frozenset[str]) -> Any:
    if name == SESSION_START_METADATA_SLOT:
        return _user_metadata(value) if isinstance(value, dict) else value
    if name in private_slots and value is not None:
        return PRIVATE_VALUE
    return _redact_strings(value)


def _user_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    kept = stored_metadata(metadata)
    kept.update({key: metadata[key] for key in RASA_METADATA_KEYS if key in metadata})
    return kept


def _without_token(metadata: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in metadata.items() if key != CUSTOMER_TOKEN}


def _redact_strings(value: Any) -> Any:
    """`value` with every string in it (through lists and dicts) redacted; links kept."""
    if isinstance(value, str):
        return value if value.startswith(_LINKS) else get_redactor().redact(value)
    if isinstance(value, list):
        return [_redact_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: _redact_strings(item) for key, item in value.items()}
    return value


def _strike(value: Any, secrets: list[str]) -> Any:
    """`value` with the exact text of each secret replaced, wherever it was copied."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, TOKEN_MASK)
        return value
    if isinstance(value, list):
        return [_strike(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: _strike(item, secrets) for key, item in value.items()}
    return value
