"""The widget's files, product pictures and the demo shop, served by the CRM service."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from crm_backend.core.security import verify_customer_token
from crm_backend.main import create_app
from crm_backend.web.router import placeholder_svg


def make_client(settings, demo_mode: bool) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"demo_mode": demo_mode}))
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def demo_client(crm_settings) -> Iterator[TestClient]:
    yield from make_client(crm_settings, demo_mode=True)


@pytest.fixture(scope="module")
def shop_client(crm_settings) -> Iterator[TestClient]:
    yield from make_client(crm_settings, demo_mode=False)


def test_widget_files_are_served(shop_client):
    script = shop_client.get("/widget/concierge-widget.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert shop_client.get("/widget/concierge-widget.css").status_code == 200
    vendored = shop_client.get("/widget/vendor/socket.io.min.js")
    assert vendored.status_code == 200 and "Socket.IO v4.8.4" in vendored.text


def test_widget_renders_text_only_with_text_content():
    from crm_backend.web.router import WEB_DIR

    source = (WEB_DIR / "widget" / "concierge-widget.js").read_text()
    assert "innerHTML" not in source and "insertAdjacentHTML" not in source and "document.write" not in source


def test_without_demo_mode_there_is_no_demo_and_no_token(shop_client):
    assert shop_client.get("/demo/").status_code == 404
    assert shop_client.get("/demo/token", params={"customer": 1}).status_code == 404


def test_demo_mode_issues_a_short_lived_token(demo_client, crm_settings):
    body = demo_client.get("/demo/token", params={"customer": 1}).json()
    secret = crm_settings.customer_token_secret.get_secret_value()
    assert body["customer_id"] == 1 and verify_customer_token(body["token"], secret=secret) == 1
    assert body["expires_in"] <= 15 * 60
    assert demo_client.get("/demo/token", params={"customer": 999_999}).status_code == 404
    assert demo_client.get("/demo/token", params={"customer": "x"}).status_code == 422


def test_demo_page_embeds_the_widget(demo_client, crm_settings):
    page = demo_client.get("/demo/")
    assert page.status_code == 200
    assert '<script src="/widget/concierge-widget.js" defer></script>' in page.text
    assert f'content="{crm_settings.widget_socket_url}"' in page.text
    assert "/static/products/" in page.text


def test_product_pictures(shop_client, db_session):
    from sqlalchemy import select

    from crm_backend.catalogue.models import Product

    product = db_session.scalars(select(Product)).first()
    picture = shop_client.get(product.image_url)  # the demo catalogue points at the PNG
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG\r\n\x1a\n") and len(picture.content) > 1000
    svg = shop_client.get(f"/static/products/{product.sku}.svg")  # still served for older catalogues
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg") and product.name.split()[0] in svg.text
    assert shop_client.get("/static/products/NOPE.svg").status_code == 404
    assert shop_client.get("/static/products/NOPE.png").status_code == 404


def test_placeholder_escapes_the_name():
    svg = placeholder_svg('<script>alert(1)</script> & "quotes"', "X1")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&amp;" in svg
