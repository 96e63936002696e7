"""Serves `web/widget/` at /widget/, product placeholder pictures (SVG and PNG) at /static/products/ and,
only with `DEMO_MODE`, the demo shop at /demo/ with its token endpoint."""

import html
import logging
from pathlib import Path
from string import Template
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Query, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import select

from crm_backend.catalogue.models import Product
from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.core.security import issue_customer_token
from crm_backend.customers.models import Customer
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
        raise HTTPException(status_code=404, detail="Not Found")


@router.get("/demo", response_class=HTMLResponse)
@router.get("/demo/", response_class=HTMLResponse)
def demo_shop(settings: SettingsDep, db_session: SessionDep) -> HTMLResponse:
    """A small product page with the widget embedded, as a shop would embed it."""
    _require_demo_mode(settings)
    products = db_session.scalars(select(Product).order_by(Product.id).limit(DEMO_PRODUCTS)).all()
    cards = "\n".join(
        '<li class="product"><img src="{img}" alt="" width="160" height="120">'
        "<h2>{name}</h2><p>€{price}</p></li>".format(
            img=html.escape(product.image_url or ""), name=html.escape(product.name), price=product.unit_price
        )
        for product in products
    )
    page = Template((WEB_DIR / "demo" / "index.html").read_text())
    body = page.substitute(products=cards, socket_url=html.escape(settings.widget_socket_url, quote=True))
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/demo/token")
def demo_token(
    settings: SettingsDep, db_session: SessionDep, customer: Annotated[int, Query(ge=1)] = 1
) -> dict[str, object]:
    """A customer token for anyone who asks: demo mode only. A real shop signs the token in its
    own backend, for the customer signed in to its own site."""
    _require_demo_mode(settings)
    found = db_session.get(Customer, customer)
    if found is None:
        raise HTTPException(status_code=404, detail="No such customer")
    token = issue_customer_token(
        found.id, secret=settings.customer_token_secret.get_secret_value(), ttl_seconds=DEMO_TOKEN_TTL_SECONDS
    )
    return {"customer_id": found.id, "token": token, "expires_in": DEMO_TOKEN_TTL_SECONDS}


PICTURE_HEADERS = {"Cache-Control": "public, max-age=86400", "Content-Security-Policy": "default-src 'none'"}


def _product(db_session: SessionDep, sku: str) -> Product:
    product = db_session.scalars(select(Product).where(Product.sku == sku)).first()
    if product is None:
        raise HTTPException(status_code=404, detail="No such product")
    return product


@router.get("/static/products/{sku}.svg")
def product_picture(sku: str, db_session: SessionDep) -> Response:
    """A generated placeholder picture as SVG (kept for catalogues that point at it)."""
    product = _product(db_session, sku)
    return Response(placeholder_svg(product.name, product.sku), media_type="image/svg+xml", headers=PICTURE_HEADERS)


@router.get("/static/products/{sku}.png")
def product_picture_png(sku: str, db_session: SessionDep) -> Response:
    """The same placeholder as PNG, which Telegram (and any client) can show as a photo."""
    product = _product(db_session, sku)
    return Response(placeholder_png(product.name, product.sku), media_type="image/png", headers=PICTURE_HEADERS)
