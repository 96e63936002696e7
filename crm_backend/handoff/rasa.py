"""The CRM's client of Rasa's HTTP API (`rasa run --enable-api --auth-token ...`).

Agents' replies are appended to the conversation as `bot` events. With
`execute_side_effects=true` and `output_channel=socketio`, Rasa also sends them to the
customer's open socket.io session (Rasa 3.6 sends events only with that flag); other
channels get the event stored and are delivered by their bridge (Telegram: the outbox).
"""

import logging
import time
from typing import Any
from urllib.parse import quote

import httpx

logger = logging.getLogger(__name__)

PUSH_CHANNELS = {"socketio"}


class RasaUnavailable(Exception):
    """Rasa did not answer, or refused the request."""


class RasaClient:
    def __init__(self, base_url: str, token: str | None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def append_events(
        self, conversation_id: str, events: list[dict[str, Any]], *, output_channel: str | None = None
    ) -> dict[str, Any]:
        params: dict[str, str] = {}
        if output_channel in PUSH_CHANNELS:
            params |= {"output_channel": output_channel, "execute_side_effects": "true"}
        return self._post(f"/conversations/{quote(conversation_id, safe='')}/tracker/events", events, params)

    def send_agent_message(
        self, conversation_id: str, text: str, *, channel: str | None, agent_id: int, agent_name: str
    ):
        event = {
            "event": "bot",
            "timestamp": time.time(),
            "text": text,
            "metadata": {"agent_id": agent_id, "agent_name": agent_name},
        }
        return self.append_events(conversation_id, [event], output_channel=channel)

    def resume(self, conversation_id: str) -> dict[str, Any]:
        return self.append_events(conversation_id, [{"event": "resume", "timestamp": time.time()}])

    def execute(self, conversation_id: str, action: str, *, channel: str | None) -> list[dict[str, Any]]:
        """Run one action now; returns its messages when they are not pushed to a channel.

        `POST /conversations/{id}/execute` is deprecated in Rasa 3.6 but still served; it runs
        a response without a made-up intent (which `trigger_intent` would need, with NLU
        examples nobody types).
        """
        params = {"output_channel": channel} if channel in PUSH_CHANNELS else {}
        body = self._post(f"/conversations/{quote(conversation_id, safe='')}/execute", {"name": action}, params)
        # `execute` does not listen afterwards; rules expect the answer to follow action_listen.
        self.append_events(conversation_id, [{"event": "action", "name": "action_listen", "timestamp": time.time()}])
        return list(body.get("messages") or [])

    def _post(self, path: str, body: Any, params: dict[str, str]) -> dict[str, Any]:
        if self.token:
            params = {**params, "token": self.token}
        try:
            response = httpx.post(f"{self.base_url}{path}", json=body, params=params, timeout=self.timeout)
        except httpx.HTTPError as error:
            raise RasaUnavailable(f"Rasa unreachable: {error.__class__.__name__}") from error
        if response.status_code != 200:
            logger.warning("Rasa answered %s to %s", response.status_code, path)
            raise RasaUnavailable(f"Rasa answered {response.status_code}")
        return response.json()
