"""Console pages at 100,000 conversations: first load of the list, a transcript and the
metrics page (with its charts), through the real app (routes, templates, audit), and
screenshots of the agents' pages at 1280×800 and 390×844.

The data: the conversations of `list_100k.generate` (SQLite files), indexed; 30 days of them
fall in the metrics page's default range. "First load" is a cold process: the first request
of each page after the app starts (the metrics cache is empty; the charts are rendered then),
timed from the request to the last byte; the metrics figure adds the page's charts, as the
browser fetches them. The second (warm) load is kept beside it.

Usage: .venv/bin/python bench/console/pages_100k.py [--conversations N] [--screenshots]
       → "first_load_ms" (and "warm_load_ms", "pages") merged into bench/results/console.json;
       screenshots in bench/results/ui/
"""

import argparse
import json
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from bench.console.list_100k import SECRET, generate  # noqa: E402
from crm_backend.agents.models import Role  # noqa: E402
from crm_backend.agents.service import create_agent  # noqa: E402
from crm_backend.core.config import Settings  # noqa: E402
from crm_backend.core.db import make_engine, make_session_factory, session_scope, upgrade_database  # noqa: E402
from crm_backend.handoff.service import open_handoff  # noqa: E402
from crm_backend.transcripts.indexer import index_new_events  # noqa: E402
from tests.fake_events import ConversationWriter, create_tracker_schema, write  # noqa: E402

OUT = ROOT / "bench" / "results" / "console.json"
UI = ROOT / "bench" / "results" / "ui"
PASSWORD = "bench password 123"
VIEWPORTS = {"desktop": (1280, 800), "mobile": (390, 844)}


def build(work: Path, conversations: int) -> tuple[Settings, dict]:
    crm_url, tracker_url = f"sqlite:///{work / 'crm.db'}", f"sqlite:///{work / 'tracker.db'}"
    upgrade_database(crm_url)
    tracker = make_engine(tracker_url)
    create_tracker_schema(tracker)
    t = time.perf_counter()
    # The generator's clock starts in 2025; move it so the last 30 days hold conversations.
    generate(tracker, conversations)
    shift = time.time() - (1_760_000_000.0 + conversations * 30)
    with tracker.begin() as connection:
        connection.exec_driver_sql(f"UPDATE events SET timestamp = timestamp + {shift}")
    live = [ConversationWriter(f"live-{uuid.uuid4().hex[:8]}", time.time() - 600 + i) for i in range(3)]
    for i, chat in enumerate(live):
        chat.user("where is my parcel? it is late", "delivery_problem", 0.81).action("action_order_status")
        chat.bot(
            "Your order 712345 is on its way.", buttons=[{"title": "Talk to a person", "payload": "/human_handoff"}]
        )
        chat.user("/human_handoff", "human_handoff").action("action_human_handoff").pause()
        chat.user(f"hello? still waiting ({i})", "nlu_fallback", 0.2)
    write(tracker, live)
    generated = time.perf_counter() - t
    engine = make_engine(crm_url)
    factory = make_session_factory(engine)
    t = time.perf_counter()
    for db_session in session_scope(factory):
        index_new_events(db_session=db_session, tracker=tracker, secret=SECRET)
        agent = create_agent(
            db_session=db_session,
            email="bench@agents.example.com",
            name="Ada Admin",
            password=PASSWORD,
            role=Role.ADMIN,
        )
        for chat in live:
            open_handoff(
                db_session=db_session,
                conversation_id=chat.sender_id,
                channel="socketio",
                customer_id=None,
                reason="customer_asked",
                summary="where is my parcel?",
            )
    indexed = time.perf_counter() - t
    engine.dispose()
    tracker.dispose()
    settings = Settings(
        database_url=crm_url,
        tracker_db_url=tracker_url,
        bot_service_token="x" * 32,
        customer_token_secret=SECRET,
        rasa_url="http://127.0.0.1:9",
        console_secure_cookie=False,
        rate_limit_login_per_minute=0,
    )
    return settings, {
        "generate_seconds": round(generated, 1),
        "index_seconds": round(indexed, 1),
        "agent_email": agent.email,
        "live": live[0].sender_id,
        "sample": f"bench-{conversations // 2:06d}",
    }


def log_in(client: TestClient, email: str) -> None:
    page = client.get("/console/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/console/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf, "next": ""}
    )
    assert response.status_code == 303, response.text


def load(client: TestClient, path: str, with_charts: bool = False) -> tuple[float, int]:
    t = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    size = len(response.content)
    if with_charts:
        for src in re.findall(r'<img src="([^"]+\.png[^"]*)"', response.text):
            chart = client.get(src.replace("&amp;", "&"))
            assert chart.status_code == 200
            size += len(chart.content)
    return round((time.perf_counter() - t) * 1000, 1), size


def time_pages(settings: Settings, facts: dict) -> dict:
    from crm_backend.main import create_app

    app = create_app(settings)
    pages = {
        "list": ("/console/conversations", False),
        "transcript": (f"/console/conversations/{facts['sample']}", False),
        "metrics": ("/console/metrics", True),
    }
    report: dict = {"first_load_ms": {}, "warm_load_ms": {}, "bytes": {}}
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        log_in(client, facts["agent_email"])
        for name, (path, charts) in pages.items():
            report["first_load_ms"][name], report["bytes"][name] = load(client, path, charts)
        for name, (path, charts) in pages.items():
            report["warm_load_ms"][name], _ = load(client, path, charts)
    app.state.engine.dispose()
    return report


def screenshots(settings: Settings, facts: dict) -> list[str]:
    import uvicorn
    from playwright.sync_api import sync_playwright

    from crm_backend.main import create_app
    from ops.stack import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.1)
    UI.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
            )
            for width, height in VIEWPORTS.values():
                context = browser.new_context(
                    viewport={"width": width, "height": height}, base_url=f"http://127.0.0.1:{port}"
                )
                page = context.new_page()
                page.goto("/console/login")
                page.fill("input[name=email]", facts["agent_email"])
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/console/conversations")
                shots = {
                    "inbox": "/console/inbox",
                    "list": "/console/conversations",
                    "transcript": f"/console/conversations/{facts['live']}",
                    "metrics": "/console/metrics",
                    "canned": "/console/canned",
                    "sla": "/console/sla",
                }
                for name, path in shots.items():
                    page.goto(path)
                    if name == "inbox":
                        page.locator("#inbox-list tbody tr").first.wait_for()
                    if name == "transcript":
                        page.click("#toggle-nlu")
                        page.locator("button.annotate-open").first.click()
                    target = UI / f"console_{name}_{width}x{height}.png"
                    page.screenshot(path=str(target), full_page=False)
                    written.append(str(target.relative_to(ROOT)))
                context.close()
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--screenshots", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="console-pages-"))
    settings, facts = build(work, args.conversations)
    report = time_pages(settings, facts)
    report.update(
        conversations=args.conversations,
        database="SQLite (CRM and tracker store, files)",
        generate_seconds=facts["generate_seconds"],
        index_seconds=facts["index_seconds"],
        load_average=os.getloadavg(),
        method="TestClient through create_app: the first request of each page in a fresh process (cold metrics "
        "cache, charts included), to the last byte; warm = the second request",
    )
    if args.screenshots:
        report["screenshots"] = screenshots(settings, facts)
    existing = json.loads(args.out.read_text()) if args.out.exists() else {}
    existing["first_load_ms"] = report["first_load_ms"]
    existing["pages"] = report
    args.out.write_text(json.dumps(existing, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
