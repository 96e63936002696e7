"""The load client: scripted conversations over Rasa's REST channel, every message tracked.

Each message carries a unique id (`metadata.msg_id`, also `message_id` for our reliable
channel). A message is *lost* when its request failed, timed out or got no reply; it is
*duplicated* when the tracker store holds its user event more than once (checked afterwards
with `count_duplicates`). Only 127.0.0.1 is ever targeted.
"""

import asyncio
import itertools
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx

from bench.load.stack import DemoCustomer

Turn = tuple[str, dict]  # text, extra metadata (e.g. the customer token)
Script = list[Turn]


def concierge_script(customer: DemoCustomer, token: str, rng: random.Random) -> Script:
    """A verified customer: greeting, order status, recommendations, an FAQ, goodbye."""
    auth = {"customer_token": token}
    order = rng.choice(customer.orders)
    faq = rng.choice(["how much does shipping cost?", "what are your opening hours?", "do you sell gift cards?"])
    return [
        ("hello", auth),
        (rng.choice([f"where is my order {order}?", f"what's the status of order {order}"]), auth),
        ("what do you recommend for me?", auth),
        (faq, auth),
        ("thanks, bye", auth),
    ]


def bare_script(_customer: object, _token: str, rng: random.Random) -> Script:
    """The `rasa init` assistant's own conversation (same number of turns)."""
    return [
        ("hello", {}),
        (rng.choice(["I am feeling great", "I am sad"]), {}),
        (rng.choice(["yes", "no"]), {}),
        ("are you a bot?", {}),
        ("bye", {}),
    ]


@dataclass
class Result:
    msg_id: str
    sender: str
    started: float
    latency: float | None  # None: no answer
    replies: int
    status: int | None
    error: str | None = None


@dataclass
class LoadClient:
    url: str  # the REST webhook
    timeout: float = 30.0
    retry_connect_seconds: float = 0.0  # faults: retry refused connections (Rasa restarting)
    headers: dict[str, str] = field(default_factory=dict)  # Concierge's REST webhook: its channel credential
    results: list[Result] = field(default_factory=list)
    resent: int = 0  # messages sent again after a refused or dropped connection
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        assert urlparse(self.url).hostname == "127.0.0.1", "load is only ever sent to 127.0.0.1"
        limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
        self.http = httpx.AsyncClient(timeout=self.timeout, limits=limits, headers=self.headers)

    async def close(self) -> None:
        await self.http.aclose()

    async def send(self, sender: str, text: str, metadata: dict) -> Result:
        msg_id = f"m{next(self._ids)}"
        body = {"sender": sender, "message": text, "message_id": msg_id, "metadata": {**metadata, "msg_id": msg_id}}
        started = time.monotonic()
        give_up = started + self.retry_connect_seconds
        attempts = 0
        while True:
            attempts += 1
            if attempts == 2:
                self.resent += 1
                body["retry"] = True
            try:
                response = await self.http.post(self.url, json=body)
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as error:
                # Refused or dropped: safe to resend, the channel deduplicates on message_id.
                if time.monotonic() < give_up:
                    await asyncio.sleep(0.5)
                    continue
                result = Result(msg_id, sender, started, None, 0, None, type(error).__name__)
                break
            except httpx.HTTPError as error:
                result = Result(msg_id, sender, started, None, 0, None, type(error).__name__)
                break
            latency = time.monotonic() - started
            replies = response.json() if response.status_code == 200 else []
            texts = [r for r in replies if r.get("text") or r.get("image") or r.get("buttons") or r.get("custom")]
            result = Result(msg_id, sender, started, latency, len(texts), response.status_code)
            result.texts = [r.get("text", "") for r in replies]  # type: ignore[attr-defined]
            break
        self.results.append(result)
        return result

    async def converse(self, sender: str, script: Script, think: Callable[[], float] | None, stop_at: float) -> None:
        for index, (text, metadata) in enumerate(script):
            if time.monotonic() >= stop_at:
                return
            await self.send(sender, text, metadata)
            if think is not None and index < len(script) - 1:
                await asyncio.sleep(min(think(), max(0.0, stop_at - time.monotonic())))


def summarise(results: list[Result], duration: float) -> dict:
    answered = [r for r in results if r.status == 200 and r.replies > 0]
    latencies = sorted(r.latency * 1000 for r in answered if r.latency is not None)

    def pct(p: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, round(p / 100 * (len(latencies) - 1)))], 1)

    errors: dict[str, int] = {}
    for r in results:
        if r not in answered:
            key = r.error or f"http_{r.status}" if r.status != 200 else "empty_reply"
            errors[key] = errors.get(key, 0) + 1
    return {
        "messages": len(results),
        "answered": len(answered),
        "lost": len(results) - len(answered),
        "errors": errors,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "duration_s": round(duration, 1),
        "throughput_msgs_per_s": round(len(answered) / duration, 2) if duration else None,
    }


async def count_duplicates(rasa_url: str, senders: set[str], token: str | None, msg_ids: set[str]) -> dict:
    """User events per msg_id, read back from Rasa's tracker API: duplicated and missing ids."""
    seen: dict[str, int] = {}
    params = {"include_events": "ALL", **({"token": token} if token else {})}
    async with httpx.AsyncClient(timeout=60) as http:
        semaphore = asyncio.Semaphore(8)

        async def fetch(sender: str) -> None:
            async with semaphore:
                response = await http.get(f"{rasa_url}/conversations/{sender}/tracker", params=params)
            response.raise_for_status()
            for event in response.json().get("events", []):
                if event.get("event") == "user":
                    metadata = event.get("metadata") or {}
                    # Our channels keep only the contract's keys (protocol.metadata): the id is `message_id`.
                    msg_id = metadata.get("msg_id") or metadata.get("message_id")
                    if msg_id:
                        seen[msg_id] = seen.get(msg_id, 0) + 1

        await asyncio.gather(*(fetch(sender) for sender in senders))
    return {
        "duplicated": sum(1 for count in seen.values() if count > 1),
        "not_in_tracker": len(msg_ids - set(seen)),
    }
