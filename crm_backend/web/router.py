"""Serves `web/widget/` at /widget/ (whether an agent is online: /widget/status), product placeholder
pictures (SVG and PNG) at /static/products/ and,
only with `DEMO_MODE`, the demo shop at /demo/ with its token endpoint."""

import base64
import hashlib
import html
import logging
import re
from pathlib import Path
from string import Template
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from crm_backend.agents.service import count_signed_in_agents
from crm_backend.catalogue.service import get_product_by_sku, list_products
from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.core.errors import NotFound
from crm_backend.core.security import issue_customer_token
from crm_backend.customers.service import get_customer_or_raise
from crm_backend.web.pictures import placeholder_png, placeholder_svg

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
DEMO_TOKEN_TTL_SECONDS = 15 * 60
DEMO_PRODUCTS = 6

router = APIRouter(tags=["web"], include_in_schema=False)


def install_web(app: FastAPI) -> None:
    """Add the web routes and the widget's static files to `app`."""
    app.include_router(router)
    app.mount("/widget", StaticFiles(directory=WEB_DIR / "widget", check_dir=False), name="widget")


def _require_demo_mode(settings: SettingsDep) -> None:
    if not settings.demo_mode:
        raise NotFound("Not Found")


def _inline_hashes(page: str, tag: str) -> str:
    """CSP sources allowing exactly the page's own inline `<tag>` blocks (fixed text)."""
    blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.DOTALL)
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in blocks)


def _demo_policy(page: str, socket_url: str) -> str:
    """The demo page's CSP: its own embed script and style, the widget, and Rasa's socket."""
    origin = re.match(r"^(https?)://([^/]+)", socket_url)
    sockets = (
        f"{socket_url.rstrip('/')} {'wss' if origin.group(1) == 'https' else 'ws'}://{origin.group(2)}"
        if origin
        else ""
    )
    return (
        f"default-src 'self'; script-src 'self' {_inline_hashes(page, 'script')}; "
        f"style-src 'self' {_inline_hashes(page, 'style')}; img-src 'self' data: http: https:; "
        f"connect-src 'self' {sockets}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )


@router.get("/demo", response_class=HTMLResponse)
@router.get("/demo/", response_class=HTMLResponse)
def demo_shop(settings: SettingsDep, db_session: SessionDep) -> HTMLResponse:
    """A small product page with the widget embedded, as a shop would embed it."""
    _require_demo_mode(settings)
    products = list_products(db_session=db_session, limit=DEMO_PRODUCTS)
    cards = "\n".join(
        '<li class="product" id="product-{sku}"><img src="{img}" alt="" width="160" height="120">'
        "<h2>{name}</h2><p>€{price}</p></li>".format(
            sku=html.escape(product.sku, quote=True),
            img=html.escape(product.image_url or ""),
            name=html.escape(product.name),
            price=product.unit_price,
        )
        for product in products
    )
    template = (WEB_DIR / "demo" / "index.html").read_text()
    body = Template(template).substitute(products=cards, socket_url=html.escape(settings.widget_socket_url, quote=True))
    policy = _demo_policy(template, settings.widget_socket_url)
    return HTMLResponse(body, headers={"Cache-Control": "no-store", "Content-Security-Policy": policy})


@router.get("/demo/token")
def demo_token(
    settings: SettingsDep, db_session: SessionDep, customer: Annotated[int, Query(ge=1)] = 1
) -> dict[str, object]:
    """A customer token for anyone who asks: demo mode only. A real shop signs the token in its
    own backend, for the customer signed in to its own site."""
    _require_demo_mode(settings)
    found = get_customer_or_raise(db_session=db_session, customer_id=customer, erased_too=True)
    token = issue_customer_token(
        found.id, secret=settings.customer_token_secret.get_secret_value(), ttl_seconds=DEMO_TOKEN_TTL_SECONDS
    )
    return {"customer_id": found.id, "token": token, "expires_in": DEMO_TOKEN_TTL_SECONDS}


@router.get("/widget/status")
def widget_status(db_session: SessionDep, response: Response) -> dict[str, bool]:
    """Whether an agent is signed in, so the widget's header promises a person only when one
    could answer. Public and the same for everyone: any shop's page may ask."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=30"
    return {"agents_online": count_signed_in_agents(db_session=db_session) > 0}


PICTURE_HEADERS = {
    "Cache-Control": "public, max-age=86400",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


@router.get("/static/products/{sku}.svg")
def product_picture(sku: str, db_session: SessionDep) -> Response:
    """A generated placeholder picture as SVG (kept for catalogues that point at it)."""
    product = get_product_by_sku(db_session=db_session, sku=sku)
    return Response(placeholder_svg(product.name, product.sku), media_type="image/svg+xml", headers=PICTURE_HEADERS)


@router.get("/static/products/{sku}.png")
def product_picture_png(sku: str, db_session: SessionDep) -> Response:
    """The same placeholder as PNG, which Telegram (and any client) can show as a photo."""
    product = get_product_by_sku(db_session=db_session, sku=sku)
    return Response(placeholder_png(product.name, product.sku), media_type="image/png", headers=PICTURE_HEADERS)
