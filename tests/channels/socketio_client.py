"""A minimal socket.io client for tests: one WebSocket, Engine.IO 4 / Socket.IO 5, default namespace.

The app environment has `websockets` but not python-socketio (which lives in Rasa's), and the
tests need what a browser cannot be made to do: present a chosen Origin, ask for someone
else's session, send a 100,000-character message. This speaks the protocol directly:
packets are `<type><id?><json>` (`42["event", data]`, `42<id>[...]` with an ack, `43<id>[...]`
the ack), and the server's pings (`2`) are answered (`3`).
"""

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from protocol.metadata import CUSTOMER_TOKEN, MESSAGE_ID, RETRY

METADATA_KEY = "customData"  # bot/credentials.yml


class SocketIOClient:
    """A widget-like socket: `await start()`, `await session()`, `await say(...)`, `events`."""

    def __init__(self, base_url: str, origin: str | None = None) -> None:
        self.url = base_url.replace("http", "ws", 1).rstrip("/") + "/socket.io/?EIO=4&transport=websocket"
        self.origin = origin
        self.events: list[tuple[str, Any]] = []
        self._acks: dict[int, asyncio.Future] = {}
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self.ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self.session_id: str | None = None
        self.session_proof: str | None = None

    async def start(self, timeout: float = 10.0) -> "SocketIOClient":
        self.ws = await connect(self.url, origin=self.origin, max_size=None, open_timeout=timeout)
        opened = await asyncio.wait_for(self.ws.recv(), timeout)
        assert opened.startswith("0"), opened
        await self.ws.send("40")
        connected = await asyncio.wait_for(self.ws.recv(), timeout)
        if not connected.startswith("40"):
            raise ConnectionRefusedError(connected)
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        async for frame in self.ws:
            if frame == "2":
                await self.ws.send("3")
                continue
            if frame.startswith("42"):
                event, *args = json.loads(frame[2:])
                async with self._changed:
                    self.events.append((event, args[0] if args else None))
                    self._changed.notify_all()
            elif frame.startswith("43"):
                body = frame[2:]
                digits = len(body) - len(body.lstrip("0123456789"))
                future = self._acks.pop(int(body[:digits]), None)
                if future is not None and not future.done():
                    payload = json.loads(body[digits:])
                    future.set_result(payload[0] if payload else None)

    async def emit(self, event: str, data: Any, ack: bool = True, timeout: float = 90.0) -> Any:
        if not ack:
            await self.ws.send("42" + json.dumps([event, data]))
            return None
        ack_id = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        await self.ws.send(f"42{ack_id}" + json.dumps([event, data]))
        return await asyncio.wait_for(future, timeout)

    async def wait_for(self, event: str, predicate: Callable[[Any], bool] = lambda data: True, timeout: float = 60.0):
        """The first `event` whose data matches (already received or still to come)."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                for name, data in self.events:
                    if name == event and predicate(data):
                        return data
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no {event} matching within {timeout} s; got {self.events}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    def received(self, event: str) -> list[Any]:
        return [data for name, data in self.events if name == event]

    async def session(self, session_id: str | None = None, proof: str | None = None) -> str:
        """session_request (to rejoin `session_id` with its `proof`); the session the server gave."""
        before = len(self.received("session_confirm"))
        await self.emit("session_request", {"session_id": session_id, "session_proof": proof}, ack=False)
        await self.wait_for("session_confirm", lambda data: len(self.received("session_confirm")) > before)
        confirm = self.received("session_confirm")[-1]
        self.session_id = confirm["session_id"] if isinstance(confirm, dict) else confirm
        self.session_proof = confirm.get("session_proof") if isinstance(confirm, dict) else None
        return self.session_id

    async def say(
        self,
        text: str,
        message_id: str,
        token: str | None = None,
        retry: bool = False,
        session_id: str | None = None,
        timeout: float = 90.0,
    ) -> dict:
        """One user message, as the widget sends it; the acknowledgement with its replies."""
        metadata: dict[str, Any] = {MESSAGE_ID: message_id}
        if token:
            metadata[CUSTOMER_TOKEN] = token
        if retry:
            metadata[RETRY] = True
        data = {"message": text, "session_id": session_id or self.session_id, METADATA_KEY: metadata}
        return await self.emit("user_uttered", data, timeout=timeout)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self.ws is not None:
            await self.ws.close()


@contextlib.asynccontextmanager
async def started_sockets(url: str, count: int = 2):
    """`count` connected clients of the socket.io server at `url`, closed afterwards."""
    clients = [SocketIOClient(url) for _ in range(count)]
    try:
        for client in clients:
            await client.start()
        yield clients
    finally:
        for client in clients:
            await client.close()
