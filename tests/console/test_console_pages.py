"""Console pages over HTTP: login, CSRF, the conversation list and its filters, a transcript,
notes, tags, annotations, metrics, and escaping of customer text. SQLite and PostgreSQL."""

import re
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crm_backend.agents.models import Role
from crm_backend.annotations.jobs import work
from crm_backend.audit.models import AuditEntry
from crm_backend.core.db import make_session_factory, session_scope
from tests.console.conftest import PASSWORD, XSS, csrf_of


def test_pages_need_a_login_and_login_needs_its_csrf_token(console, make_agent):
    console.cookies.clear()
    response = console.get("/console/conversations?channel=rest")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=")
    agent = make_agent()
    refused = console.post("/console/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": "x"})
    assert refused.status_code == 403 and "concierge_console" not in refused.cookies


def _console_from(console, address: str) -> TestClient:
    return TestClient(console.app, base_url="https://testserver", follow_redirects=False, client=(address, 50000))


def _form_login(client: TestClient, email: str, password: str):
    page = client.get("/console/login")
    return client.post("/console/login", data={"email": email, "password": password, "csrf_token": csrf_of(page.text)})


@pytest.mark.attack("agent_lockout")
def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_of_the_console(console, make_agent):
    agent = make_agent(Role.ADMIN)
    attacker, owner = _console_from(console, "203.0.113.50"), _console_from(console, "198.51.100.50")
    for _ in range(5):
        assert _form_login(attacker, agent.email, "not the password").status_code == 401
    assert _form_login(owner, agent.email, PASSWORD).status_code == 303  # the owner still gets in
    throttled = _form_login(attacker, agent.email, PASSWORD)
    assert throttled.status_code == 429 and "Too many failed logins" in throttled.text
    assert int(throttled.headers["retry-after"]) >= 1


def test_console_and_api_share_one_login_policy(console, make_agent):
    agent = make_agent()
    attacker = _console_from(console, "203.0.113.51")
    for _ in range(5):
        assert attacker.post("/api/auth/login", json={"email": agent.email, "password": "nope"}).status_code == 401
    assert _form_login(attacker, agent.email, PASSWORD).status_code == 429  # failures on /api count here
    sprayer = _console_from(console, "203.0.113.52")
    limit = console.app.state.settings.login_max_failures_per_ip
    for number in range(limit):
        assert _form_login(sprayer, f"guess{number}@agents.example.com", "Winter2026!").status_code == 401
    assert _form_login(sprayer, agent.email, PASSWORD).status_code == 429  # spraying emails is slowed


def test_login_sets_a_strict_secure_httponly_cookie_and_logout_ends_it(console, make_agent):
    agent = make_agent()
    console.cookies.clear()
    page = console.get("/console/login")
    wrong = console.post(
        "/console/login", data={"email": agent.email, "password": "nope", "csrf_token": csrf_of(page.text)}
    )
    assert wrong.status_code == 401
    page = console.get("/console/login")
    response = console.post(
        "/console/login",
        data={"email": agent.email, "password": PASSWORD, "csrf_token": csrf_of(page.text), "next": "//evil.example"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/console/conversations"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("concierge_console="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    listing = console.get("/console/conversations")
    assert listing.status_code == 200
    assert "script-src 'self'" in listing.headers["content-security-policy"]
    assert console.post("/console/logout", data={}).status_code == 403  # no CSRF token
    assert console.post("/console/logout", data={"csrf_token": csrf_of(listing.text)}).status_code == 303
    assert console.get("/console/conversations").status_code == 303


def test_an_account_without_a_role_is_refused(console, make_agent, log_in):
    agent = make_agent(None)
    console.cookies.clear()
    page = console.get("/console/login")
    console.post("/console/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": csrf_of(page.text)})
    assert console.get("/console/conversations").status_code == 403


def test_list_filters_search_and_keyset_pages(console, make_agent, log_in, conversation, store):
    log_in(make_agent())
    base = datetime(2026, 3, 1, tzinfo=UTC).timestamp()
    verified = conversation(customer_id=1, channel="socketio", start_ts=base)
    verified.user("where is my order 702733?", "order_status", 0.97, [{"entity": "order_id", "value": "702733"}])
    verified.action("action_order_status").bot("It is shipped.")
    lost = conversation(channel="telegram", start_ts=base + 60)
    lost.user("blorf the zibble", "nlu_fallback", 0.12).action("action_handle_fallback").bot("Sorry?")
    lost.user("human please", "human_handoff", 0.9).action("action_human_handoff").pause()
    fillers = [conversation(start_ts=base + 120 + i).user(f"filler message {i}", "greet") for i in range(7)]
    store(verified, lost, *fillers)

    def ids(query: str) -> set[str]:
        page = console.get(f"/console/conversations?{query}")
        assert page.status_code == 200, page.text
        return set(re.findall(r'data-conversation="([^"]+)"', page.text))

    assert verified.sender_id in ids("channel=socketio")
    assert ids("channel=telegram") >= {lost.sender_id} and verified.sender_id not in ids("channel=telegram")
    assert lost.sender_id in ids("fallback=yes&handoff=yes") and verified.sender_id not in ids("fallback=yes")
    assert verified.sender_id in ids("customer=1") and lost.sender_id not in ids("customer=1")
    assert ids("order=702733") == {verified.sender_id}
    assert lost.sender_id in ids("q=ZIBBLE") and verified.sender_id not in ids("q=zibble")
    assert lost.sender_id in ids("conf_below=0.5") and verified.sender_id not in ids("conf_below=0.5")
    assert verified.sender_id in ids("intent=order_status")
    assert ids("date_from=2026-03-01&date_to=2026-03-01") >= {verified.sender_id, lost.sender_id}
    # Keyset pages: 9 conversations that day, 4 per page -> no repeats, nothing missed.
    seen: list[str] = []
    url = "/console/conversations?date_from=2026-03-01&date_to=2026-03-01"
    from crm_backend.transcripts import service

    original = service.PAGE_SIZE
    service.list_conversations.__defaults__ = (None, 4)
    try:
        while url:
            page = console.get(url)
            seen += re.findall(r'data-conversation="([^"]+)"', page.text)
            match = re.search(r'id="next-page" href="([^"]+)"', page.text)
            url = match.group(1).replace("&amp;", "&") if match else None
    finally:
        service.list_conversations.__defaults__ = (None, original)
    assert len(seen) == len(set(seen)) == 9


def test_transcript_shows_nlu_details_and_customer_360_and_escapes_customer_text(
    console, make_agent, log_in, conversation, store
):
    agent = make_agent()
    log_in(agent)
    chat = conversation(customer_id=1, channel="socketio")
    chat.user(XSS, "nlu_fallback", 0.21).action("action_handle_fallback").bot("Sorry, say again?")
    chat.user("my email is ada@example.com, card 4111 1111 1111 1111", "inform", 0.66)
    store(chat)
    page = console.get(f"/console/conversations/{chat.sender_id}")
    assert page.status_code == 200
    assert "<script>window.__xss" not in page.text and 'onerror="window' not in page.text
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in page.text
    assert "nlu_fallback" in page.text and "0.21" in page.text and "action_handle_fallback" in page.text
    assert "ada@example.com" not in page.text.split('id="customer-360"')[0]  # redacted in the transcript
    assert "[EMAIL]" in page.text and "[CARD]" in page.text
    assert 'id="customer-360"' in page.text and "Lovelace" in page.text
    db = console.app.state.session_factory()
    entries = db.scalars(select(AuditEntry).where(AuditEntry.actor_id == agent.id)).all()
    assert {(e.entity_type, e.action) for e in entries} >= {("conversation", "read"), ("customer", "read")}
    db.close()


def test_notes_tags_and_annotations_need_csrf_and_are_saved(console, make_agent, log_in, conversation, store):
    csrf = log_in(make_agent())
    chat = conversation()
    chat.user("I want my money back for 702733", "faq", 0.31)
    store(chat)
    page = console.get(f"/console/conversations/{chat.sender_id}")
    event_id = int(re.search(r'class="annotate-open" data-event="(\d+)"', page.text).group(1))
    assert console.post("/console/notes", data={"conversation_id": chat.sender_id, "body": "x"}).status_code == 403
    note = {"conversation_id": chat.sender_id, "body": "<b>call back</b>", "csrf_token": csrf}
    assert console.post("/console/notes", data=note).status_code == 303
    tag = {"conversation_id": chat.sender_id, "tag": "refund", "csrf_token": csrf}
    assert console.post("/console/tags", data=tag).status_code == 303
    annotation = {
        "csrf_token": csrf,
        "conversation_id": chat.sender_id,
        "event_id": event_id,
        "intent": "refund_status",
        "entity_0": "order_id",
        "start_0": "25",
        "end_0": "31",
    }
    saved = console.post("/console/annotations", data=annotation)
    assert saved.status_code == 303 and "Annotation%20saved" in saved.headers["location"]
    bad = console.post("/console/annotations", data={**annotation, "intent": "no_such_intent"})
    assert "Not%20saved" in bad.headers["location"]
    page = console.get(f"/console/conversations/{chat.sender_id}").text
    assert "&lt;b&gt;call back&lt;/b&gt;" in page and "refund" in page and "Annotated: refund_status" in page


def test_metrics_dashboard_csv_and_charts(console, make_agent, log_in, conversation, store):
    log_in(make_agent())
    today = datetime.now(UTC).replace(hour=10).timestamp()
    chats = [conversation(channel="socketio", start_ts=today - 86400 * d) for d in range(3)]
    for chat in chats:
        chat.user("asdf qwerty unknown thing", "nlu_fallback", 0.1).action("action_handle_fallback")
    store(*chats)
    page = console.get("/console/metrics")
    assert page.status_code == 200 and "Containment rate" in page.text and "Fallback rate" in page.text
    start = (datetime.now(UTC) - timedelta(days=5)).date().isoformat()
    csv_text = console.get(f"/console/metrics.csv?date_from={start}").text
    assert csv_text.startswith("day,conversations,containment_rate") and "channel_socketio" in csv_text
    png = console.get(f"/console/metrics/plot/channel.png?date_from={start}")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert console.get("/console/metrics/plot/nope.png").status_code == 404


def test_training_page_export_and_retrain_are_for_admins(console, make_agent, log_in):
    csrf = log_in(make_agent(Role.AGENT))
    assert console.post("/console/training/export", data={"csrf_token": csrf}).status_code == 403
    csrf = log_in(make_agent(Role.ADMIN))
    assert console.post("/console/training/export", data={"csrf_token": csrf}).status_code == 303
    assert console.post("/console/training/retrain", data={"csrf_token": csrf}).status_code == 303
    queued = console.get("/console/training").text
    assert 'id="training-state">queued' in queued and queued.count('id="training-state"') == 1  # not trained here
    settings = console.app.state.settings
    scopes = partial(session_scope, make_session_factory(console.app.state.engine))
    export_path = Path(settings.annotations_export_path)
    log_path = export_path.with_name("training.log")
    ran = work(scopes, export_path=export_path, command=settings.retrain_command, log_path=log_path, once=True)
    page = console.get("/console/training").text
    assert ran == 1 and 'id="training-state">succeeded' in page and "training done" in page
