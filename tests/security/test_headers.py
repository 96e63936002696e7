"""Every CRM response carries the security headers, and the API documentation is off by default.

The walk visits every route of the app (demo routes and documentation included), as an
outsider and as a logged-in administrator, plus the answers no route gives: an unknown path,
a static file, and the limits' own 413 refusal.
"""

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from crm_backend.catalogue.models import Product
from crm_backend.main import create_app

pytestmark = pytest.mark.attack("security_headers")

REQUIRED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
# Ids that exist nowhere: the walk must not change the shared data (an admin's erase of 1 would).
PATH_VALUES = {"conversation_id:path": "security", "name": "rates", "sku": "NO-SUCH-SKU"}
NO_SUCH_ID = "999999"


def assert_secure(response, what: str) -> None:
    headers = response.headers
    for name, value in REQUIRED.items():
        assert headers.get(name) == value, f"{what}: {name} is {headers.get(name)!r}"
    policy = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, f"{what}: CSP {policy!r}"
    assert "default-src" in policy, f"{what}: CSP {policy!r}"


@pytest.fixture(scope="module")
def demo_client(security_settings) -> Iterator[TestClient]:
    app = create_app(security_settings.model_copy(update={"demo_mode": True}))
    with TestClient(app, follow_redirects=False) as client:
        yield client
    app.state.engine.dispose()


def _requests(app) -> list[tuple[str, str]]:
    """(method, concrete path) of every route, path parameters filled in."""
    found = []
    for context in iter_route_contexts(app.router.routes):
        methods = sorted((getattr(context.original_route, "methods", None) or {"GET"}) - {"HEAD"})
        path = re.sub(r"\{([^}]+)\}", lambda m: PATH_VALUES.get(m.group(1), NO_SUCH_ID), context.path)
        found.extend((method, path) for method in methods)
    return sorted(set(found))


def test_the_walk_covers_every_interface(demo_client):
    paths = {path for _, path in _requests(demo_client.app)}
    for prefix in ("/api/", "/bot/", "/console/", "/demo", "/static/products/", "/docs", "/openapi.json"):
        assert any(path.startswith(prefix) for path in paths), prefix
    assert len(paths) > 50


def test_every_route_answers_with_the_security_headers(demo_client, principals, session_headers):
    answered = set()
    for method, path in _requests(demo_client.app):
        outsider = demo_client.request(method, path)
        assert_secure(outsider, f"{method} {path} (outsider, {outsider.status_code})")
        admin = session_headers(principals.admin)  # a fresh session: the walk also logs out
        demo_client.cookies.set("concierge_console", admin["Authorization"].removeprefix("Bearer "))
        insider = demo_client.request(method, path, headers=admin)
        demo_client.cookies.clear()
        assert_secure(insider, f"{method} {path} (admin, {insider.status_code})")
        if insider.status_code == 200:
            answered.add(path.split("/")[1])
    assert {"api", "console", "demo", "docs"} <= answered  # the insider walk got real pages


def test_answers_no_route_gives_have_the_headers_too(demo_client, security_settings):
    assert_secure(demo_client.get("/no/such/page"), "unknown path")
    widget = demo_client.get("/widget/concierge-widget.js")
    assert widget.status_code == 200
    assert_secure(widget, "widget file")
    assert widget.headers.get("cache-control") != "no-store"  # public and cacheable
    too_large = demo_client.post(
        "/api/auth/login",
        content=b"x" * (security_settings.max_body_bytes + 1),
        headers={"Content-Type": "application/json"},
    )
    assert too_large.status_code == 413
    assert_secure(too_large, "413 from the limits")


def test_product_pictures_keep_their_own_policy_with_the_common_headers(demo_client):
    with demo_client.app.state.session_factory() as db_session:
        sku = db_session.scalars(select(Product.sku).order_by(Product.id)).first()
    for suffix in ("svg", "png"):
        picture = demo_client.get(f"/static/products/{sku}.{suffix}")
        assert picture.status_code == 200
        assert_secure(picture, f"picture .{suffix}")
        assert picture.headers["content-security-policy"].startswith("default-src 'none'")
        assert picture.headers["cache-control"].startswith("public")


def test_personal_answers_are_not_cached(demo_client, principals, session_headers):
    response = demo_client.get("/api/customers/1", headers=session_headers(principals.admin))
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"


def test_the_demo_page_allows_only_its_own_inline_embed(demo_client):
    page = demo_client.get("/demo/")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "'sha256-" in policy
    assert "ws://127.0.0.1:5005" in policy  # the widget's socket.io connection


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_api_documentation_is_off_by_default(secure_client, security_settings, path):
    assert not security_settings.demo_mode and not security_settings.api_docs
    response = secure_client.get(path)
    assert response.status_code == 404
    assert_secure(response, path)


@pytest.mark.parametrize("setting", ["demo_mode", "api_docs"])
def test_api_documentation_is_on_with_demo_mode_or_api_docs(security_settings, setting):
    app = create_app(security_settings.model_copy(update={setting: True}))
    with TestClient(app) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert_secure(response, path)
        assert "/api/auth/login" in client.get("/openapi.json").json()["paths"]
    app.state.engine.dispose()


def test_api_docs_is_read_from_the_environment(monkeypatch, security_settings):
    from crm_backend.core.config import Settings

    monkeypatch.setenv("API_DOCS", "true")
    settings = Settings(
        bot_service_token=security_settings.bot_service_token,
        customer_token_secret=security_settings.customer_token_secret,
        _env_file=None,
    )
    assert settings.api_docs is True
