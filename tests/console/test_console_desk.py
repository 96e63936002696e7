"""The agents' desk over HTTP: canned replies (admins only, CSRF, variables), the handoff and its
ticket closing together, the SLA breach view, and the metrics' resolution rate per intent."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crm_backend.agents.models import Role
from crm_backend.console.resolution import Row, resolution_by_intent
from crm_backend.handoff.models import CannedReply, Handoff
from crm_backend.tickets.models import Ticket
from tests.console.test_console_handoff import queue, rasa_calls  # noqa: F401 (a fixture)


def test_only_admins_manage_canned_replies_and_agents_get_them_filled(
    console,
    console_settings,
    make_agent,
    log_in,
    rasa_calls,  # noqa: F811
):
    title = f"Welcome {uuid.uuid4().hex[:6]}"
    agent = make_agent(Role.AGENT)
    csrf = log_in(agent)
    body = {"title": title, "body": "Hi {first_name}, {agent_name} here {unknown}.", "csrf_token": csrf}
    assert console.post("/console/canned", data=body).status_code == 403  # an agent may not
    admin_csrf = log_in(make_agent(Role.ADMIN))
    assert console.post("/console/canned", data={**body, "csrf_token": "forged"}).status_code == 403
    assert console.post("/console/canned", data={**body, "csrf_token": admin_csrf}).status_code == 303
    clash = console.post("/console/canned", data={**body, "csrf_token": admin_csrf})
    assert "exists%20already" in clash.headers["location"]
    db = console.app.state.session_factory()
    reply = db.scalars(select(CannedReply).where(CannedReply.title == title)).one()
    db.close()

    handoff_id = queue(console, console_settings, f"c-{uuid.uuid4().hex[:10]}", "socketio")
    csrf = log_in(agent)
    console.post(f"/console/handoffs/{handoff_id}/claim", data={"csrf_token": csrf})
    page = console.get(f"/console/handoffs/{handoff_id}").text
    # a visitor (no verified customer): "there"; an unknown variable stays as typed
    assert f'data-text="Hi there, {agent.name} here {{unknown}}."' in page

    admin_csrf = log_in(make_agent(Role.ADMIN))
    changed = {"title": title, "body": "Hello {first_name}", "csrf_token": admin_csrf}
    assert console.post(f"/console/canned/{reply.id}", data=changed).status_code == 303
    assert console.post(f"/console/canned/{reply.id}/delete", data={"csrf_token": admin_csrf}).status_code == 303
    assert title not in console.get("/console/canned").text


def test_closing_a_handoff_closes_its_ticket_and_closing_the_ticket_closes_the_handoff(
    console,
    console_settings,
    make_agent,
    log_in,
    rasa_calls,  # noqa: F811
):
    headers = {"Authorization": f"Bearer {console_settings.bot_service_token.get_secret_value()}"}
    ids = []
    for _ in range(2):
        conversation_id = f"c-{uuid.uuid4().hex[:10]}"
        ticket = {"category": "handoff", "subject": "Customer asked for a human", "body": "help"}
        made = console.post("/bot/tickets", json={**ticket, "conversation_id": conversation_id}, headers=headers)
        assert made.status_code == 201, made.text
        ids.append((queue(console, console_settings, conversation_id, "socketio"), made.json()["id"]))
    (first_handoff, first_ticket), (second_handoff, second_ticket) = ids

    agent = make_agent(Role.AGENT)
    csrf = log_in(agent)
    console.post(f"/console/handoffs/{first_handoff}/claim", data={"csrf_token": csrf})
    assert console.post(f"/console/handoffs/{first_handoff}/handback", data={"csrf_token": csrf}).status_code == 303

    login = console.post("/api/auth/login", json={"email": agent.email, "password": "correct horse battery staple"})
    token = login.json()["access_token"]
    closed = console.post(f"/api/tickets/{second_ticket}/close", headers={"Authorization": f"Bearer {token}"})
    assert closed.status_code == 200, closed.text
    assert any(path.endswith("/tracker/events") for path, _, _ in rasa_calls)  # the bot resumed

    db = console.app.state.session_factory()
    assert db.get(Ticket, first_ticket).status == "closed"
    assert db.get(Handoff, second_handoff).status == "closed"
    assert db.get(Handoff, second_handoff).inbox_status == "resolved"
    db.close()


def test_sla_breach_view_lists_handoffs_past_their_targets(console, console_settings, make_agent, log_in):
    old = queue(console, console_settings, f"c-{uuid.uuid4().hex[:10]}", "socketio")
    fresh = queue(console, console_settings, f"c-{uuid.uuid4().hex[:10]}", "socketio")
    db = console.app.state.session_factory()
    db.get(Handoff, old).created_at = datetime.now(UTC) - timedelta(hours=5)  # past both targets
    db.commit()
    db.close()
    log_in(make_agent())
    page = console.get("/console/sla").text
    row = re.search(rf'<tr data-handoff="{old}">.*?</tr>', page, re.S).group(0)
    assert row.count("missed") == 2
    assert f'data-handoff="{fresh}"' not in page


@pytest.mark.parametrize("intent", ["loyalty_points"])
def test_resolution_rate_per_intent_next_to_containment(console, make_agent, log_in, conversation, store, intent):
    now = datetime.now(UTC).timestamp()
    confirmed = conversation(start_ts=now - 3600)
    confirmed.user("how many points", intent).action("action_loyalty").user("thanks!", "thanks")
    handed = conversation(start_ts=now - 3600)
    handed.user("points please", intent).action("action_human_handoff").pause()
    silent_old = conversation(start_ts=now - 3 * 86400)
    silent_old.user("my points", intent).action("action_loyalty")
    silent_recent = conversation(start_ts=now - 600)  # not decided yet: not counted
    silent_recent.user("points?", intent).action("action_loyalty")
    store(confirmed, handed, silent_old, silent_recent)
    log_in(make_agent())
    page = console.get("/console/metrics").text
    row = re.search(rf'<tr data-intent="{intent}">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert cells[1:] == ["4", "75.0%", "66.7%"]  # 3 of 4 contained; 2 of 3 decided resolved
    assert 'id="by-channel"' in page and 'id="by-segment"' in page
    # few days of data: every chart is inline SVG with a marker on each point, no empty axes
    assert page.count('<svg class="chart"') == 6 and 'class="marker"' in page and "<img" not in page
    clusters = console.get("/console/metrics/clusters")  # fetched by the page once it is shown
    assert clusters.status_code == 200 and 'id="clusters"' in clusters.text


def test_a_customer_who_comes_back_within_a_day_was_not_resolved():
    day = 86400.0
    rows = [
        Row(7, 0.0, 60.0, ["order_status"], False, None),
        Row(7, 3600.0, 3700.0, ["order_status"], False, None),  # back after an hour
        Row(8, 0.0, 60.0, ["order_status"], False, None),
        Row(8, 2 * day, 2 * day + 60, ["greet"], False, None),  # back after two days
    ]
    (order_status, *_), total = resolution_by_intent(rows, now=10 * day)
    assert (order_status.conversations, order_status.decided, order_status.resolved) == (3, 3, 2)
    assert total.resolved == 3  # the greeting alone left without asking for more
