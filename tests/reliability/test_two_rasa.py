"""Two Rasa servers behind a round-robin proxy, sharing a Redis lock store and a PostgreSQL
tracker store (the production layout of docker-compose.yml), with one action server and CRM.

Messages of the same conversation are sent concurrently, so consecutive ones land on
different Rasa servers at once. The lock store must serialise them: in the events table each
user message is followed by its own bot responses and `action_listen` before the next user
message starts, and no turn is lost or stored twice.
"""

import asyncio
import itertools
import json
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.load.stack import ConciergeStack, concierge_stack
from ops.stack import free_port
from tests.conftest import DEMO_AS_OF
from tests.stack_fixtures import rest_headers

pytestmark = pytest.mark.e2e

CONVERSATIONS = 4
MESSAGES = 6
TURNS = ["hello", "what are your opening hours?", "how much does shipping cost?", "are you a bot?", "thanks", "bye"]


class RoundRobinProxy:
    """A tiny HTTP proxy on 127.0.0.1 that sends each request to the next backend in turn."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = itertools.cycle(backends)
        self.hits: dict[str, int] = dict.fromkeys(backends, 0)
        self.port = free_port()
        self.http = httpx.AsyncClient(timeout=120)
        app = Starlette(routes=[Route("/{path:path}", self.forward, methods=["GET", "POST"])])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    async def forward(self, request: Request) -> Response:
        backend = next(self.backends)
        self.hits[backend] += 1
        upstream = await self.http.request(
            request.method,
            f"{backend}/{request.path_params['path']}",
            params=request.query_params,
            content=await request.body(),
            headers={
                "content-type": request.headers.get("content-type", "application/json"),
                **({"authorization": request.headers["authorization"]} if "authorization" in request.headers else {}),
            },
        )
        return Response(upstream.content, status_code=upstream.status_code, media_type="application/json")

    def __enter__(self) -> "RoundRobinProxy":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def two_rasa(tmp_path_factory, postgres_database_factory) -> Iterator[tuple[ConciergeStack, RoundRobinProxy]]:
    tracker_url = postgres_database_factory().replace("postgresql+psycopg://", "postgresql://", 1)
    stack = concierge_stack(
        tmp_path_factory.mktemp("two-rasa"),
        tracker_db_url=tracker_url,
        env={"LOCK_STORE_TYPE": "redis", "LOCK_STORE_URL": "127.0.0.1"},
        seed_as_of=DEMO_AS_OF.isoformat(),
    )
    with stack:
        stack.start(("crm", "actions", "rasa"))
        second = stack.start_extra_rasa("rasa2", free_port())
        with RoundRobinProxy([stack.config.rasa_url, second]) as proxy:
            yield stack, proxy


async def _send_all(proxy: RoundRobinProxy, senders: list[str], headers: dict[str, str]) -> list[httpx.Response]:
    url = f"http://127.0.0.1:{proxy.port}/webhooks/rest/webhook"
    async with httpx.AsyncClient(timeout=180, headers=headers) as http:

        async def send(sender: str, index: int) -> httpx.Response:
            await asyncio.sleep(index * 0.02)  # same conversation, overlapping in flight
            body = {"sender": sender, "message": TURNS[index], "message_id": f"{sender}-{index}"}
            return await http.post(url, json=body)

        return await asyncio.gather(*(send(s, i) for s in senders for i in range(MESSAGES)))


def test_concurrent_turns_of_one_conversation_stay_in_order(two_rasa):
    stack, proxy = two_rasa
    senders = [f"two-rasa-{uuid.uuid4().hex[:8]}" for _ in range(CONVERSATIONS)]
    responses = asyncio.run(_send_all(proxy, senders, rest_headers(stack)))
    assert all(r.status_code == 200 and r.json() for r in responses), [r.text for r in responses]
    assert min(proxy.hits.values()) >= CONVERSATIONS * MESSAGES // 2 - 1  # both servers served

    engine = create_engine(stack.config.env["TRACKER_DB_URL"].replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT sender_id, type_name, action_name, timestamp, data FROM events ORDER BY id")
        ).all()
    engine.dispose()
    for sender in senders:
        events = [row for row in rows if row.sender_id == sender]
        turns: list[list] = []
        for row in events:
            if row.type_name == "user":
                turns.append([row])
            elif turns:
                turns[-1].append(row)
        texts = [json.loads(turn[0].data)["text"] for turn in turns]
        assert sorted(texts) == sorted(TURNS[:MESSAGES]), f"{sender}: lost or repeated turns {texts}"
        for turn in turns:
            kinds = [row.type_name for row in turn]
            assert "bot" in kinds, f"{sender}: a user message without a bot response: {kinds}"
            assert turn[-1].type_name == "action" and turn[-1].action_name == "action_listen", kinds
        timestamps = [row.timestamp for row in events]
        assert timestamps == sorted(timestamps), f"{sender}: events stored out of order"
