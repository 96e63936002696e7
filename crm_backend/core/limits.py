"""Request limits in front of every route: body size (declared or chunked) and per-IP rate limits.

A pure ASGI middleware, so that a chunked body (no `Content-Length`) is counted as it arrives
and refused with 413 before the route reads it, and so that a throttled client costs one
dictionary look-up. Rate limits are token buckets per client IP and per group of paths: the
agents' logins, /api's and the console's (password guessing from one address) and `/bot/*` (the action server's API; one
bucket per action server host, so the default is generous). A rate of 0 switches a limit off.
"""

import json
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from crm_backend.core.config import Settings
from crm_backend.core.errors import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_TRACKED_CLIENTS = 10_000
# The agents' two logins share one bucket per address, as they share one login policy.
LOGIN_PATHS = frozenset({"/api/auth/login", "/console/login"})


@dataclass
class TokenBucket:
    """`rate` tokens per second, at most `burst` saved up, per key (the client IP)."""

    rate: float
    burst: int
    clock: Callable[[], float] = time.monotonic
    _state: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)

    def take(self, key: str) -> float:
        """0 if a request may pass now (and count it); otherwise seconds until one may."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        tokens, last = self._state.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            tokens -= 1.0
            wait = 0.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._state[key] = (tokens, now)
        while len(self._state) > MAX_TRACKED_CLIENTS:  # forget the longest-idle clients
            self._state.popitem(last=False)
        return wait


class BodyTooLarge(Exception):
    pass


class RequestLimits:
    """The ASGI middleware; install with `install_limits(app, settings)`."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.max_body_bytes = settings.max_body_bytes
        self.buckets: list[tuple[Callable[[str], bool], TokenBucket]] = [
            (
                lambda path: path in LOGIN_PATHS,
                TokenBucket(settings.rate_limit_login_per_minute / 60.0, settings.rate_limit_login_burst),
            ),
            (
                lambda path: path == "/bot" or path.startswith("/bot/"),
                TokenBucket(settings.rate_limit_bot_per_second, settings.rate_limit_bot_burst),
            ),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        for matches, bucket in self.buckets:
            if matches(scope["path"]):
                wait = bucket.take(client)
                if wait > 0:
                    await _reject(send, 429, "rate_limited", "Too many requests; slow down.", retry_after=wait)
                    return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.max_body_bytes:
                await _reject(send, 413, "body_too_large", self._too_large_message())
                return
            await self.app(scope, receive, send)
            return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE") and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)
            return
        # No declared length (chunked): read the body here, within the limit, then replay it.
        try:
            messages = await self._read_limited(receive)
        except BodyTooLarge:
            await _reject(send, 413, "body_too_large", self._too_large_message())
            return
        await self.app(scope, _replay(messages, receive), send)

    def _too_large_message(self) -> str:
        return f"Request bodies are limited to {self.max_body_bytes} bytes."

    async def _read_limited(self, receive: Receive) -> list[Message]:
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                raise BodyTooLarge
            if not message.get("more_body", False):
                return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


async def _reject(send: Send, status: int, code: str, message: str, *, retry_after: float | None = None) -> None:
    body = json.dumps(error_body(code, message)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(max(1, math.ceil(retry_after))).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install_limits(app: Any, settings: Settings) -> None:
    """Put the limits outermost, before routing and error handling."""
    app.add_middleware(RequestLimits, settings=settings)
