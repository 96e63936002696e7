"""The analytics job on the demo shop: scores, segments and recommendations the bot can serve."""

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crm_backend.catalogue.models import Product
from crm_backend.core.config import Settings
from crm_backend.core.db import make_engine, make_session_factory, session_scope, upgrade_database
from crm_backend.core.security import issue_customer_token
from crm_backend.demo_data import seed_demo_data
from crm_backend.insights.jobs import run_analytics_job
from crm_backend.insights.models import CustomerScore, Recommendation
from crm_backend.main import create_app
from crm_backend.orders.models import Order, OrderItem


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def scored_shop(request, tmp_path_factory, postgres_database_factory, test_secrets):
    """A fresh demo shop on which the analytics job has run once."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('insights') / 'crm.db'}"
    else:
        url = postgres_database_factory()
    upgrade_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    for db_session in session_scope(factory):
        seed_demo_data(db_session, seed=3)
    registry = tmp_path_factory.mktemp("registry")
    for db_session in session_scope(factory):
        result = run_analytics_job(db_session, registry_dir=registry, show_progress=False)
    yield url, factory, result, registry
    engine.dispose()


def test_every_customer_with_orders_gets_a_segment_and_reasons(scored_shop):
    _url, factory, result, _registry = scored_shop
    with factory() as db_session:
        buyers = db_session.scalar(
            select(func.count(func.distinct(Order.customer_id))).where(Order.placed_at < datetime.now(UTC))
        )
        scores = list(db_session.scalars(select(CustomerScore)))
    assert result.customers_scored == len(scores) > 0.8 * buyers
    assert all(score.segment and score.model_version == result.model_version for score in scores)
    assert all(0.0 <= score.churn_probability <= 1.0 for score in scores if score.churn_probability is not None)
    assert sum(1 for score in scores if score.top_factors and score.top_factors.get("churn")) > 0.8 * len(scores)


def test_recommendations_exclude_bought_and_unavailable_products(scored_shop):
    _url, factory, _result, _registry = scored_shop
    with factory() as db_session:
        for customer_id in (1, 2, 3):
            bought = set(
                db_session.scalars(select(OrderItem.product_id).join(Order).where(Order.customer_id == customer_id))
            )
            for rec in db_session.scalars(select(Recommendation).where(Recommendation.customer_id == customer_id)):
                product = db_session.get(Product, rec.product_id)
                assert product.in_stock and rec.product_id not in bought and rec.reason


def test_models_are_saved_with_metadata(scored_shop):
    _url, _factory, result, registry = scored_shop
    saved = sorted(path.name for path in registry.iterdir())
    assert "segmentation" in saved and "churn" in saved
    import json

    metadata = json.loads(next((registry / "segmentation").glob("*/metadata.json")).read_text())
    assert metadata["data_range"] and metadata["extra"]["job"] == result.model_version


def test_the_bot_api_serves_the_scores(scored_shop, test_secrets):
    url, factory, result, _registry = scored_shop
    settings = Settings(
        database_url=url,
        bot_service_token=test_secrets["BOT_SERVICE_TOKEN"],
        customer_token_secret=test_secrets["CUSTOMER_TOKEN_SECRET"],
    )
    app = create_app(settings)
    token = issue_customer_token(1, secret=test_secrets["CUSTOMER_TOKEN_SECRET"], ttl_seconds=60)
    headers = {
        "Authorization": f"Bearer {test_secrets['BOT_SERVICE_TOKEN']}",
        "X-Customer-Token": token,
        "X-Conversation-Id": "insights-job-customer-1",
    }
    with TestClient(app) as client:
        profile = client.get("/bot/profile", headers=headers).json()
        recommendations = client.get("/bot/recommendations", headers=headers).json()
    app.state.engine.dispose()
    with factory() as db_session:
        stored = db_session.get(CustomerScore, 1)
    assert profile["insights"]["segment"] == stored.segment
    assert profile["insights"]["model_version"] == result.model_version
    assert recommendations and all(
        r["source"] in (result.model_version, "popularity-fallback") for r in recommendations
    )


def test_an_empty_shop_gets_a_clear_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as db_session, pytest.raises(ValueError, match="no customer orders"):
        run_analytics_job(db_session, show_progress=False)
    engine.dispose()
