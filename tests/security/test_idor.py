"""Access control over every route of the CRM, enumerated from the app itself.

Each route must be listed in ACCESS with who may call it; a new route that is not fails
`test_every_route_is_classified` until someone decides. Then, for every route:
- without credentials (or with the wrong kind) it answers 401, before touching any data;
- on /bot/*, customer A's token with customer B's identifiers never shows or changes B's data;
- on /api/*, an account without a role gets 403 everywhere but /api/auth, an agent gets 403
  on the administrators' routes, and nobody can raise their own role;
- a conversation belongs to the first customer verified in it: on every customer route of
  /bot/*, B's valid token in A's conversation gets 403 and changes nothing, a customer's call
  must name its conversation, concurrent first calls leave one owner, and the console shows
  the owner, never the intruder.
"""

import re
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from crm_backend.core.config import Settings
from crm_backend.core.db import make_engine
from crm_backend.core.security import issue_customer_token
from crm_backend.customers.models import Customer
from crm_backend.main import create_app
from crm_backend.models import Base
from crm_backend.orders.models import Order
from crm_backend.tickets.models import Ticket
from tests.conftest import rows_naming
from tests.fake_events import ConversationWriter, create_tracker_schema, write
from tests.security.conftest import CUSTOMER_A, CUSTOMER_B, customer_snapshot, secrets_of

pytestmark = pytest.mark.attack("idor")

PUBLIC = "public"  # anyone (health, login, docs, widget files, product pictures)
DEMO = "demo"  # only with DEMO_MODE on (a demo shop handing out tokens); 404 otherwise
SESSION = "session"  # any logged-in agent, even without a role
AGENT = "agent"  # an agent or an administrator
ADMIN = "admin"  # administrators only
BOT = "bot"  # the action server's service token; no customer needed (catalogue facts)
BOT_OPTIONAL = "bot_optional"  # service token; the customer token is optional (unverified tickets)
BOT_CUSTOMER = "bot_customer"  # service token and a verified customer's token
BRIDGE = "bridge"  # service token; the channel bridges' own calls (they are trusted with identities)
CONSOLE = "console"  # the console's session cookie (and a CSRF token on every POST)
CONSOLE_ADMIN = "console_admin"  # the console's session cookie of an administrator

ACCESS: dict[tuple[str, str], str] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/static/products/{sku}.svg"): PUBLIC,
    ("GET", "/static/products/{sku}.png"): PUBLIC,
    ("GET", "/demo"): DEMO,
    ("GET", "/demo/"): DEMO,
    ("GET", "/demo/token"): DEMO,
    ("GET", "/widget/status"): PUBLIC,
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/logout"): SESSION,
    ("GET", "/api/auth/me"): SESSION,
    ("GET", "/api/agents"): ADMIN,
    ("POST", "/api/agents"): ADMIN,
    ("PATCH", "/api/agents/{agent_id}"): ADMIN,
    ("GET", "/api/customers"): AGENT,
    ("GET", "/api/customers/{customer_id}"): AGENT,
    ("GET", "/api/customers/{customer_id}/export"): ADMIN,
    ("POST", "/api/customers/{customer_id}/erase"): ADMIN,
    ("POST", "/api/tickets"): AGENT,
    ("GET", "/api/tickets"): AGENT,
    ("GET", "/api/tickets/{ticket_id}"): AGENT,
    ("POST", "/api/tickets/{ticket_id}/assign"): AGENT,
    ("POST", "/api/tickets/{ticket_id}/comments"): AGENT,
    ("POST", "/api/tickets/{ticket_id}/close"): AGENT,
    ("GET", "/bot/orders"): BOT_CUSTOMER,
    ("GET", "/bot/orders/{number}"): BOT_CUSTOMER,
    ("POST", "/bot/orders/{number}/cancel"): BOT_CUSTOMER,
    ("PUT", "/bot/orders/{number}/address"): BOT_CUSTOMER,
    ("GET", "/bot/returns"): BOT_CUSTOMER,
    ("POST", "/bot/returns"): BOT_CUSTOMER,
    ("GET", "/bot/me"): BOT_CUSTOMER,
    ("GET", "/bot/profile"): BOT_CUSTOMER,
    ("GET", "/bot/returns/eligibility/{number}"): BOT_CUSTOMER,
    ("GET", "/bot/offers/retention"): BOT_CUSTOMER,
    ("GET", "/bot/payment-methods"): BOT,
    ("GET", "/bot/kb/search"): BOT,  # help-centre articles: no customer data
    ("PUT", "/bot/consents/{purpose}"): BOT_CUSTOMER,
    ("POST", "/bot/tickets"): BOT_OPTIONAL,
    ("POST", "/bot/decisions"): BOT_OPTIONAL,
    ("GET", "/bot/products"): BOT,
    ("GET", "/bot/recommendations"): BOT_CUSTOMER,
    ("GET", "/bot/popular"): BOT,
    ("POST", "/bot/channel-token"): BRIDGE,
    ("POST", "/bot/links/redeem"): BRIDGE,
    ("DELETE", "/bot/links/{channel}/{external_id}"): BRIDGE,
    ("GET", "/bot/outbox"): BRIDGE,
    ("POST", "/bot/outbox/{message_id}/delivered"): BRIDGE,
    ("POST", "/bot/handoffs"): BOT_OPTIONAL,
    # The action server asks about the conversation it is answering (the queue holds no customer data).
    ("GET", "/bot/handoffs/place"): BOT,
    ("POST", "/bot/handoffs/cancel"): BOT,
    ("POST", "/bot/csat"): BOT_OPTIONAL,
    ("GET", "/console/login"): PUBLIC,
    ("POST", "/console/login"): PUBLIC,
    ("GET", "/console/static/{name}"): PUBLIC,
    ("GET", "/console/"): PUBLIC,  # only a redirect to the conversation list
    ("POST", "/console/logout"): CONSOLE,
    ("GET", "/console/conversations"): CONSOLE,
    ("GET", "/console/conversations/{conversation_id:path}"): CONSOLE,
    ("GET", "/console/conversations/{conversation_id:path}/events"): CONSOLE,
    ("POST", "/console/notes"): CONSOLE,
    ("POST", "/console/tags"): CONSOLE,
    ("POST", "/console/annotations"): CONSOLE,
    ("GET", "/console/handoffs"): CONSOLE,
    ("GET", "/console/handoffs/{handoff_id}"): CONSOLE,
    ("POST", "/console/handoffs/{handoff_id}/claim"): CONSOLE,
    ("POST", "/console/handoffs/{handoff_id}/reply"): CONSOLE,
    ("POST", "/console/handoffs/{handoff_id}/handback"): CONSOLE,
    ("GET", "/console/metrics"): CONSOLE,
    ("GET", "/console/metrics.csv"): CONSOLE,
    ("GET", "/console/metrics/plot/{name}.png"): CONSOLE,
    ("GET", "/console/training"): CONSOLE_ADMIN,
    ("POST", "/console/training/export"): CONSOLE_ADMIN,
    ("POST", "/console/training/retrain"): CONSOLE_ADMIN,
    # The live inbox, canned replies, notes, SLA and story export (issue 18's console half).
    ("GET", "/console/inbox"): CONSOLE,
    ("GET", "/console/inbox/stream"): CONSOLE,
    ("GET", "/console/handoffs/{handoff_id}/stream"): CONSOLE,
    ("POST", "/console/handoffs/{handoff_id}/note"): CONSOLE,
    ("POST", "/console/handoffs/{handoff_id}/status"): CONSOLE,
    ("POST", "/console/handoffs/{handoff_id}/transfer"): CONSOLE,
    ("GET", "/console/sla"): CONSOLE,
    ("GET", "/console/metrics/clusters"): CONSOLE,
    ("GET", "/console/canned"): CONSOLE,
    ("POST", "/console/canned"): CONSOLE_ADMIN,
    ("POST", "/console/canned/{reply_id}"): CONSOLE_ADMIN,
    ("POST", "/console/canned/{reply_id}/delete"): CONSOLE_ADMIN,
    ("POST", "/console/conversations/{conversation_id:path}/test-story"): CONSOLE_ADMIN,
}
# FastAPI's own documentation routes and static files, outside the schema.
DOCS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
STATIC_MOUNTS = {"/widget"}

# A valid body per request schema; identifiers point at customer B where the schema has them.
EXAMPLE_BODIES: dict[str, dict] = {
    "AddressChange": {"address": "1 Attacker Street, 66666 Evil City"},
    "ReturnRequest": {"order_number": "{b_order}", "reason": "it arrived damaged"},
    "ConsentChange": {"granted": True},
    "TicketRequest": {"category": "other", "subject": "hello", "body": "please help"},
    "HandoffCancel": {"conversation_id": "idor-handoff"},
    "DecisionRequest": {"conversation_id": "security", "decision": "test", "reason": "test"},
    "LoginRequest": {"email": "nobody@agents.example.com", "password": "not the password"},
    "AgentCreate": {"email": "intruder@agents.example.com", "name": "Intruder", "password": "a long password 123"},
    "AgentUpdate": {"role": "admin", "active": True},
    "TicketCreate": {"customer_id": "{b_id}", "subject": "hello", "category": "other", "body": "hi"},
    "TicketAssign": {"agent_id": "{me}"},
    "CommentCreate": {"body": "hello"},
    "ChannelIdentityRef": {"channel": "telegram", "external_id": "4242"},
    "RedeemRequest": {"channel": "telegram", "external_id": "4242", "code": "NOTACODE"},
    "HandoffCreate": {"conversation_id": "security", "reason": "customer_asked"},
    "CsatCreate": {"conversation_id": "security", "score": 5},
}
CONSOLE_PATH_VALUES = {"conversation_id:path": "security", "handoff_id": "1", "name": "rates", "reply_id": "1"}
A_CONVERSATION = "idor-conversation-of-a"  # customer A's own conversation


def _schema() -> dict:
    settings = Settings(bot_service_token="x" * 16, customer_token_secret="y" * 32, database_url="sqlite://")
    return create_app(settings).openapi()


SCHEMA = _schema()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
    if method in {"get", "post", "put", "patch", "delete"}
]
OPERATION_IDS = [f"{method} {path}" for method, path, _ in OPERATIONS]


def _all_routes(app) -> tuple[set[tuple[str, str]], set[str]]:
    """(method, path) of every API route, in the schema or not, and the paths of other routes."""
    api, other = set(), set()
    for context in iter_route_contexts(app.router.routes):
        if isinstance(context.original_route, APIRoute):
            api |= {(method, context.path) for method in context.original_route.methods - {"HEAD"}}
        else:
            other.add(context.original_route.path)
    return api, other


def test_every_route_is_classified(secure_client):
    routes, other = _all_routes(secure_client.app)
    routes |= {(method, path) for method, path, _ in OPERATIONS}
    unclassified = sorted(routes - set(ACCESS))
    assert not unclassified, f"add these routes to ACCESS in {__file__}: {unclassified}"
    assert not other - DOCS - STATIC_MOUNTS, f"routes outside FastAPI's API routes need a review: {other}"


def test_demo_routes_are_off_unless_demo_mode(secure_client, security_settings):
    assert not security_settings.demo_mode
    for (method, path), access in ACCESS.items():
        if access == DEMO:
            assert secure_client.request(method, path, params={"customer": CUSTOMER_B}).status_code == 404


class Request:
    """Builds a call to one operation with values that point at customer B."""

    def __init__(self, client: TestClient, method: str, path: str, operation: dict, me: int = 0) -> None:
        self.client, self.method, self.operation = client, method, operation
        with client.app.state.session_factory() as db_session:
            b_order = db_session.scalars(select(Order.number).where(Order.customer_id == CUSTOMER_B)).first()
            b_ticket = db_session.scalars(select(Ticket.id).where(Ticket.customer_id == CUSTOMER_B)).first()
        self.values = {
            "b_order": b_order,
            "b_id": CUSTOMER_B,
            "me": me or 1,
            "number": b_order,
            "customer_id": CUSTOMER_B,
            "ticket_id": b_ticket or 1,
            "agent_id": me or 1,
            "purpose": "newsletter",
            "q": "mug",
            "channel": "telegram",
            "external_id": "4242",
            "message_id": 999999,
        }
        self.path = re.sub(r"\{(\w+)\}", lambda m: str(self.values[m.group(1)]), path)

    def body(self, *, need_example: bool = True) -> dict | None:
        content = self.operation.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None:
            return None
        name = content["schema"]["$ref"].rsplit("/", 1)[-1]
        if name not in EXAMPLE_BODIES and not need_example:
            return {}  # credentials are checked before the body is validated
        assert name in EXAMPLE_BODIES, f"add an example body for {name} to EXAMPLE_BODIES"
        return {key: self._fill(value) for key, value in EXAMPLE_BODIES[name].items()}

    def _fill(self, value):
        if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
            return self.values[value[1:-1]]
        return value

    def params(self) -> dict:
        return {
            p["name"]: self.values.get(p["name"], "1")
            for p in self.operation.get("parameters", [])
            if p["in"] == "query" and p.get("required")
        }

    def send(self, headers: dict[str, str], *, need_example: bool = True):
        body = self.body(need_example=need_example)
        return self.client.request(self.method, self.path, headers=headers, json=body, params=self.params())


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=OPERATION_IDS)
def test_no_credentials_no_access(secure_client, method, path, operation, session_headers, principals, service_headers):
    access = ACCESS.get((method, path))  # an unclassified route must require credentials too
    if access == PUBLIC:
        return
    request = Request(secure_client, method, path, operation)
    before = customer_snapshot(secure_client, CUSTOMER_B)
    wrong_kind = service_headers if path.startswith("/api/") else session_headers(principals.admin)
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic YTpi"}, wrong_kind):
        response = request.send(headers, need_example=False)
        assert response.status_code == 401, (headers, response.text)
        assert response.json()["error"]["code"] in {"invalid_service_token", "not_authenticated"}
    assert customer_snapshot(secure_client, CUSTOMER_B) == before


BOT_OPERATIONS = [(m, p, o) for m, p, o in OPERATIONS if p.startswith("/bot/") and ACCESS.get((m, p)) != BRIDGE]


@pytest.mark.parametrize(
    ("method", "path", "operation"), BOT_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in BOT_OPERATIONS]
)
def test_customer_a_cannot_reach_customer_b(
    secure_client, method, path, operation, service_headers, customer_token, security_settings
):
    request = Request(secure_client, method, path, operation)
    before = customer_snapshot(secure_client, CUSTOMER_B)
    b_secrets = secrets_of(secure_client, CUSTOMER_B)
    headers = {**service_headers, "X-Customer-Token": customer_token(CUSTOMER_A), "X-Conversation-Id": A_CONVERSATION}
    response = request.send(headers)
    assert response.status_code < 500, response.text
    if "{number}" in path or (request.body() or {}).get("order_number"):
        assert response.status_code == 404, response.text  # B's order is as unknown as a missing one
    leaked = [secret for secret in b_secrets if secret and secret in response.text]
    assert not leaked, f"{method} {path} showed customer B's data to customer A: {leaked}"
    assert customer_snapshot(secure_client, CUSTOMER_B) == before


@pytest.mark.parametrize(
    ("method", "path", "operation"), BOT_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in BOT_OPERATIONS]
)
def test_bot_routes_need_a_verified_customer(
    secure_client, method, path, operation, service_headers, security_settings, erased_customer
):
    import jwt

    request = Request(secure_client, method, path, operation)
    secret = security_settings.customer_token_secret.get_secret_value()
    with secure_client.app.state.session_factory() as db_session:
        erased_before = rows_naming(db_session, erased_customer)
    forged = {
        # Validly signed and unexpired, but the customer's data is erased: nothing may name them again.
        "erased customer": issue_customer_token(erased_customer, secret=secret, ttl_seconds=600),
        "missing": None,
        "wrong secret": jwt.encode({"sub": "2", "aud": "concierge-chat", "iat": 0, "exp": 2**33}, "z" * 32),
        "expired": jwt.encode({"sub": "2", "aud": "concierge-chat", "iat": 0, "exp": 1}, secret),
        "other audience": jwt.encode({"sub": "2", "aud": "elsewhere", "iat": 0, "exp": 2**33}, secret),
        "alg none": jwt.encode({"sub": "2", "aud": "concierge-chat", "iat": 0, "exp": 2**33}, None, algorithm="none"),
        "no expiry": jwt.encode({"sub": "2", "aud": "concierge-chat", "iat": 0}, secret),
        "sql in sub": jwt.encode({"sub": "2 OR 1=1", "aud": "concierge-chat", "iat": 0, "exp": 2**33}, secret),
    }
    b_secrets = secrets_of(secure_client, CUSTOMER_B)
    for kind, token in forged.items():
        headers = dict(service_headers) | (
            {"X-Customer-Token": token, "X-Conversation-Id": "idor-forged"} if token else {}
        )
        response = request.send(headers)
        assert response.status_code < 500, (kind, response.text)
        if ACCESS.get((method, path), BOT_CUSTOMER) == BOT_CUSTOMER:
            assert response.status_code == 401, (kind, response.text)
            assert response.json()["error"]["code"] == "customer_not_verified"
        assert not [s for s in b_secrets if s and s in response.text], kind
    with secure_client.app.state.session_factory() as db_session:
        assert rows_naming(db_session, erased_customer) == erased_before


API_OPERATIONS = [(m, p, o) for m, p, o in OPERATIONS if p.startswith("/api/") and ACCESS.get((m, p)) in {AGENT, ADMIN}]


@pytest.mark.parametrize(
    ("method", "path", "operation"), API_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in API_OPERATIONS]
)
def test_roles_are_enforced(secure_client, method, path, operation, principals, session_headers):
    before = customer_snapshot(secure_client, CUSTOMER_B)
    as_norole = Request(secure_client, method, path, operation, me=principals.norole)
    response = as_norole.send(session_headers(principals.norole))
    assert response.status_code == 403, response.text
    if ACCESS[(method, path)] == ADMIN:
        as_agent = Request(secure_client, method, path, operation, me=principals.agent)
        response = as_agent.send(session_headers(principals.agent))
        assert response.status_code == 403, response.text
        assert customer_snapshot(secure_client, CUSTOMER_B) == before
    with secure_client.app.state.session_factory() as db_session:
        from crm_backend.agents.models import Agent

        roles = {a.id: a.role for a in db_session.scalars(select(Agent))}
    assert roles[principals.agent] == "agent" and roles[principals.norole] is None


@pytest.mark.parametrize(
    ("method", "path", "operation"), API_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in API_OPERATIONS]
)
def test_admin_passes_the_role_checks(secure_client, method, path, operation, principals, session_headers):
    """The other side of the role tests: the administrator is let through (ids that do not exist,
    so that nothing is changed)."""
    request = Request(secure_client, method, path, operation, me=principals.admin)
    request.path = re.sub(r"/\d+(/|$)", r"/999999\1", request.path)
    response = request.send(session_headers(principals.admin))
    assert response.status_code not in (401, 403), response.text
    assert response.status_code < 500, response.text


@pytest.mark.parametrize(
    ("method", "path"),
    sorted(key for key, access in ACCESS.items() if access in {CONSOLE, CONSOLE_ADMIN}),
    ids=lambda value: str(value),
)
def test_console_pages_need_a_console_session(secure_client, session_headers, principals, method, path):
    """Without the console's cookie: a redirect to the login page, never the page; an API
    bearer token is not a console session either."""
    url = re.sub(r"\{([^}]+)\}", lambda m: CONSOLE_PATH_VALUES[m.group(1)], path)
    for headers in ({}, session_headers(principals.admin)):
        response = secure_client.request(method, url, headers=headers, follow_redirects=False)
        assert response.status_code in {303, 401, 403}, (method, url, response.status_code)
        if response.status_code == 303:
            assert response.headers["location"].startswith("/console/login")


# --- conversation ownership: the first customer verified in a conversation owns it ---------

CUSTOMER_ROUTES = [(m, p, o) for m, p, o in BOT_OPERATIONS if ACCESS.get((m, p)) in {BOT_CUSTOMER, BOT_OPTIONAL}]
CUSTOMER_ROUTE_IDS = [f"{m} {p}" for m, p, _ in CUSTOMER_ROUTES]


def _conversation_of_a(client: TestClient, service_headers: dict, customer_token) -> str:
    """A new conversation in which customer A was verified first."""
    conversation = f"owned-by-a-{uuid.uuid4().hex[:10]}"
    headers = {**service_headers, "X-Customer-Token": customer_token(CUSTOMER_A), "X-Conversation-Id": conversation}
    assert client.get("/bot/me", headers=headers).status_code == 200
    return conversation


def _send_in(request: Request, headers: dict, conversation: str):
    """The request, with `conversation` in the header and in the body's conversation id."""
    body = request.body()
    if body is not None and "conversation_id" in body:
        body["conversation_id"] = conversation
    headers = {**headers, "X-Conversation-Id": conversation}
    return request.client.request(request.method, request.path, headers=headers, json=body, params=request.params())


def _customers_in(client: TestClient, conversation: str) -> set[int | None]:
    """Every customer id that a row of the conversation names."""
    with client.app.state.session_factory() as db_session:
        return {
            customer_id
            for table in Base.metadata.sorted_tables
            if {"customer_id", "conversation_id"} <= set(table.c.keys())
            for customer_id in db_session.scalars(
                select(table.c.customer_id).where(table.c.conversation_id == conversation)
            )
        }


@pytest.mark.attack("conversation_relabel")
@pytest.mark.parametrize(("method", "path", "operation"), CUSTOMER_ROUTES, ids=CUSTOMER_ROUTE_IDS)
def test_a_token_for_b_in_a_conversation_of_a_is_refused(
    secure_client, method, path, operation, service_headers, customer_token
):
    """B sends their own valid token (and their own order numbers) into A's conversation: a
    clear 403 on every customer route, nothing of A's in the answer, nothing changed, and the
    conversation still A's alone."""
    conversation = _conversation_of_a(secure_client, service_headers, customer_token)
    request = Request(secure_client, method, path, operation)
    before = {c: customer_snapshot(secure_client, c) for c in (CUSTOMER_A, CUSTOMER_B)}
    a_secrets = secrets_of(secure_client, CUSTOMER_A)
    response = _send_in(request, {**service_headers, "X-Customer-Token": customer_token(CUSTOMER_B)}, conversation)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "conversation_owned_by_another"
    assert not [s for s in a_secrets if s and s in response.text]
    assert {c: customer_snapshot(secure_client, c) for c in (CUSTOMER_A, CUSTOMER_B)} == before
    assert _customers_in(secure_client, conversation) == {CUSTOMER_A}
    again = _send_in(request, {**service_headers, "X-Customer-Token": customer_token(CUSTOMER_A)}, conversation)
    assert again.status_code != 403, again.text  # the owner is still served there


@pytest.mark.attack("conversation_relabel")
@pytest.mark.parametrize(("method", "path", "operation"), CUSTOMER_ROUTES, ids=CUSTOMER_ROUTE_IDS)
def test_a_customer_call_must_name_its_conversation(
    secure_client, method, path, operation, service_headers, customer_token
):
    """A valid token without a (well-formed) conversation is refused: no call for a customer
    escapes the ownership check."""
    request = Request(secure_client, method, path, operation)
    token = {**service_headers, "X-Customer-Token": customer_token(CUSTOMER_A)}
    for conversation in (None, "", "%00", "x" * 256):
        headers = token if conversation is None else {**token, "X-Conversation-Id": conversation}
        response = request.send(headers)
        assert response.status_code == 400, (conversation, response.text)
        assert response.json()["error"]["code"] == "conversation_required"


@pytest.mark.attack("conversation_relabel")
def test_concurrent_first_calls_of_two_customers_leave_one_owner(secure_client, service_headers, customer_token):
    conversation = f"race-{uuid.uuid4().hex[:10]}"
    barrier = threading.Barrier(8)

    def call(customer_id: int) -> int:
        headers = {
            **service_headers,
            "X-Customer-Token": customer_token(customer_id),
            "X-Conversation-Id": conversation,
        }
        barrier.wait()
        return secure_client.get("/bot/me", headers=headers).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(call, [CUSTOMER_A, CUSTOMER_B] * 4))
    owner = _customers_in(secure_client, conversation)
    assert len(owner) == 1
    winners = [c for c, s in zip([CUSTOMER_A, CUSTOMER_B] * 4, statuses, strict=True) if s == 200]
    assert set(winners) == owner and len(winners) == 4 and statuses.count(403) == 4


@pytest.fixture(scope="module")
def console_client(security_settings, tmp_path_factory) -> Iterator[TestClient]:
    """The security CRM's console with a tracker store (events as Rasa stores them, no tokens)."""
    tracker_url = f"sqlite:///{tmp_path_factory.mktemp('idor-tracker') / 'tracker.db'}"
    engine = make_engine(tracker_url)
    create_tracker_schema(engine)
    engine.dispose()
    app = create_app(security_settings.model_copy(update={"tracker_db_url": tracker_url}))
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client
    app.state.engine.dispose()


def _console_login(client: TestClient, agent_id: int) -> None:
    with client.app.state.session_factory() as db_session:
        from crm_backend.agents.models import Agent

        email = db_session.get(Agent, agent_id).email
    client.cookies.clear()
    page = client.get("/console/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"email": email, "password": "security test password", "csrf_token": csrf, "next": ""}
    assert client.post("/console/login", data=form).status_code == 303


def _customer_names(client: TestClient) -> dict[int, str]:
    with client.app.state.session_factory() as db_session:
        return {c: f"{db_session.get(Customer, c).first_name} {db_session.get(Customer, c).last_name}" for c in (1, 2)}


@pytest.mark.attack("conversation_relabel")
def test_the_console_shows_the_owner_not_an_intruder(console_client, principals, service_headers, customer_token):
    """A verified in X, then B's token in X (refused): the transcript page's 360 panel and the
    list's customer filter name A, never B."""
    conversation = _conversation_of_a(console_client, service_headers, customer_token)
    chat = ConversationWriter(conversation, 1_780_000_000.0, channel="socketio")
    chat.user("where is my parcel?", "order_status").action("action_order_status").bot("On its way.")
    chat.user("now it's me, someone else", "greet")
    write(make_engine(console_client.app.state.settings.tracker_db_url), [chat])
    intruder = {**service_headers, "X-Customer-Token": customer_token(CUSTOMER_B), "X-Conversation-Id": conversation}
    assert console_client.get("/bot/profile", headers=intruder).status_code == 403
    _console_login(console_client, principals.agent)
    page = console_client.get(f"/console/conversations/{conversation}")
    assert page.status_code == 200, page.text
    panel = page.text.split('id="customer-360"', 1)[1]
    names = _customer_names(console_client)
    assert names[CUSTOMER_A] in panel and names[CUSTOMER_B] not in page.text
    listed = console_client.get(f"/console/conversations?customer={CUSTOMER_B}").text
    assert conversation not in listed
    assert conversation in console_client.get(f"/console/conversations?customer={CUSTOMER_A}").text
