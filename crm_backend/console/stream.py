"""Server-sent events for the console: a page opens one `EventSource`, and the server sends
what changed, checked every `INBOX_POLL_SECONDS`, until the browser leaves or the login ends.

Each check runs in the thread pool with its own database session (the request's session is
closed once the route returns); it yields `(event name, JSON-able data)` pairs, and nothing
is sent when nothing changed but a comment every `HEARTBEAT_SECONDS` keeps proxies from
closing the connection.
"""

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from crm_backend.agents.service import find_live_session
from crm_backend.console.auth import SESSION_COOKIE

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15.0
Check = Callable[[Session], list[tuple[str, object]]]


def sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def event_stream(request: Request, check: Check, *, interval: float) -> StreamingResponse:
    """A text/event-stream answering `check(db_session)` until the client goes or logs out."""
    factory = request.app.state.session_factory
    token = request.cookies.get(SESSION_COOKIE, "")

    def tick() -> list[tuple[str, object]] | None:
        with factory() as db_session:
            if find_live_session(db_session=db_session, token=token) is None:
                return None
            events = check(db_session)
            db_session.commit()  # what the check recorded (what the agent has read)
            return events

    async def body() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        quiet_since = time.monotonic()
        while not await request.is_disconnected():
            try:
                events = await run_in_threadpool(tick)
            except Exception:  # a failed check must not end an agent's shift: try again next tick
                logger.exception("A console stream check failed")
                events = []
            if events is None:
                yield sse("logout", {})
                return
            for name, data in events:
                yield sse(name, data)
            if events:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > HEARTBEAT_SECONDS:
                yield ": ping\n\n"
                quiet_since = time.monotonic()
            await asyncio.sleep(interval)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(body(), media_type="text/event-stream", headers=headers)
