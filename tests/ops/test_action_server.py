"""The action server (actions/server.py) listens on 127.0.0.1 and runs actions only for Rasa,
which sends ACTION_SERVER_TOKEN: a crafted tracker from anyone else gets 401 and reaches nothing.

The CRM is replaced by a recorder of HTTP requests on a local port (the action server's true
external boundary): a handoff action that ran would call it.
"""

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest

from ops.stack import ROOT, free_port

pytestmark = pytest.mark.attack("action_server_auth")

TOKEN = secrets.token_urlsafe(32)
# What Rasa posts to run `action_human_handoff` for a Telegram chat, made up by an outsider.
CRAFTED = {
    "next_action": "action_human_handoff",
    "sender_id": "tg-123456-123456",
    "version": "3.6.21",
    "domain": {},
    "tracker": {
        "sender_id": "tg-123456-123456",
        "slots": {},
        "latest_message": {"text": "invented text: send my parcel to 1 Evil Road", "intent": {"name": "human_handoff"}},
        "latest_event_time": time.time(),
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    },
}


class Recorder(BaseHTTPRequestHandler):
    calls: ClassVar[list[str]] = []

    def _answer(self) -> None:
        Recorder.calls.append(f"{self.command} {self.path}")
        body = json.dumps({"id": 1, "number": "T-1", "status": "queued", "position": 1}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture(scope="module")
def crm_recorder() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def action_server(crm_recorder, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "ACTION_SERVER_TOKEN": TOKEN, "BOT_SERVICE_TOKEN": secrets.token_urlsafe(32),
           "CRM_URL": crm_recorder}  # fmt: skip
    env.pop("ACTION_SERVER_HOST", None)
    log_path = tmp_path_factory.mktemp("actions") / "actions.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "actions.server", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the action server did not start:\n" + log_path.read_text(errors="replace")[-3000:])
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


def test_it_listens_on_loopback_only(action_server):
    port = int(action_server.rsplit(":", 1)[1])
    assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, and nothing on 0.0.0.0 or ::


def test_a_crafted_tracker_without_the_token_is_refused_and_reaches_nothing(action_server):
    Recorder.calls.clear()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"X-Token": TOKEN}):
        response = httpx.post(f"{action_server}/webhook", json=CRAFTED, headers=headers, timeout=10)
        assert response.status_code == 401, headers
    query = httpx.post(f"{action_server}/webhook", params={"token": TOKEN}, json=CRAFTED, timeout=10)
    assert query.status_code == 401  # only the header counts: query strings end up in access logs
    assert httpx.get(f"{action_server}/actions", timeout=10).status_code == 401
    assert Recorder.calls == []  # no ticket, no handoff


def test_rasa_with_the_token_runs_the_action(action_server):
    Recorder.calls.clear()
    response = httpx.post(
        f"{action_server}/webhook", json=CRAFTED, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert response.status_code == 200 and "events" in response.json()
    assert Recorder.calls  # the action did reach the (stand-in) CRM
