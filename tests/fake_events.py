"""Rasa-shaped events for tests and benchmarks: what the SQL tracker store would hold (a test
helper: it lives with the tests, not in the CRM package).

Each row matches Rasa 3.6's `events` table (type_name, intent_name, action_name and the
event's JSON in `data`), so the reader, the indexer and the console see realistic input.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, insert

from crm_backend.transcripts.tracker import events_table, tracker_metadata


@dataclass
class ConversationWriter:
    """Builds one conversation's events in order; `rows` go to the events table."""

    sender_id: str
    start_ts: float
    channel: str = "rest"
    token: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    _ts: float = 0.0

    def _next_ts(self, step: float = 1.0) -> float:
        self._ts += step
        return self.start_ts + self._ts

    def _row(self, type_name: str, data: dict, intent: str | None = None, action: str | None = None) -> None:
        ts = self._next_ts()
        data = {"event": type_name, "timestamp": ts, **data}
        self.rows.append(
            {
                "sender_id": self.sender_id,
                "type_name": type_name,
                "timestamp": ts,
                "intent_name": intent,
                "action_name": action,
                "data": json.dumps(data),
            }
        )

    def user(
        self, text: str, intent: str, confidence: float = 0.95, entities: list[dict] | None = None
    ) -> "ConversationWriter":
        metadata = {"customer_token": self.token} if self.token else {}
        parse = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "intent_ranking": [{"name": intent, "confidence": confidence}, {"name": "faq", "confidence": 0.01}],
        }
        self._row(
            "user",
            {
                "text": text,
                "parse_data": parse,
                "input_channel": self.channel,
                "message_id": None,
                "metadata": metadata,
            },
            intent=intent,
        )
        return self

    def action(self, name: str) -> "ConversationWriter":
        self._row("action", {"name": name, "policy": "RulePolicy", "confidence": 1.0}, action=name)
        return self

    def bot(self, text: str, buttons: list[dict] | None = None, metadata: dict | None = None) -> "ConversationWriter":
        self._row("bot", {"text": text, "data": {"buttons": buttons}, "metadata": metadata or {}})
        return self

    def pause(self) -> "ConversationWriter":
        self._row("pause", {})
        return self


def create_tracker_schema(engine: Engine) -> None:
    tracker_metadata.create_all(engine)


def write(engine: Engine, writers: list[ConversationWriter]) -> None:
    rows = [row for writer in writers for row in writer.rows]
    if rows:
        with engine.begin() as connection:
            connection.execute(insert(events_table), rows)
