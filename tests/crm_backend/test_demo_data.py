from collections import Counter
from datetime import date

from sqlalchemy import func, select

from crm_backend.core.db import make_engine, make_session_factory, session_scope, upgrade_database
from crm_backend.customers.models import Customer
from crm_backend.demo_data import seed_demo_data
from crm_backend.orders.models import Order


def _seed(url: str, as_of: date) -> list[tuple]:
    upgrade_database(url)
    engine = make_engine(url)
    for db_session in session_scope(make_session_factory(engine)):
        seed_demo_data(db_session, seed=7, as_of=as_of)
    with make_session_factory(engine)() as db_session:
        rows = db_session.execute(
            select(Order.number, Order.customer_id, Order.status, Order.placed_at, Order.total).order_by(Order.id)
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def test_same_seed_gives_the_same_shop(tmp_path):
    as_of = date(2026, 1, 15)
    assert _seed(f"sqlite:///{tmp_path / 'a.db'}", as_of) == _seed(f"sqlite:///{tmp_path / 'b.db'}", as_of)


def test_demo_shop_is_realistic(db_session):
    customers = db_session.scalar(select(func.count()).select_from(Customer))
    statuses = Counter(db_session.scalars(select(Order.status)))
    assert 200 <= customers <= 1000
    assert sum(statuses.values()) >= 2000
    assert set(statuses) == {"pending", "processing", "shipped", "delivered", "cancelled", "returned"}
    assert statuses["delivered"] > statuses["shipped"] > 0


def test_quick_start_customer_has_each_live_state(db_session):
    statuses = set(db_session.scalars(select(Order.status).where(Order.customer_id == 1)))
    assert {"processing", "shipped", "delivered"} <= statuses


def test_shipped_orders_have_dates_in_order(db_session):
    for order in db_session.scalars(select(Order).where(Order.status == "delivered").limit(200)):
        assert order.placed_at < order.shipment.shipped_at < order.shipment.delivered_at


def test_seeding_a_non_empty_database_is_refused(seeded_database_url):
    import pytest

    engine = make_engine(seeded_database_url)
    with pytest.raises(ValueError, match="empty"):
        for db_session in session_scope(make_session_factory(engine)):
            seed_demo_data(db_session)
    engine.dispose()


def test_new_customers_get_fresh_ids_after_seeding(seeded_database_url):
    engine = make_engine(seeded_database_url)
    for db_session in session_scope(make_session_factory(engine)):
        newcomer = Customer(first_name="New", last_name="Comer", email="new.comer@example.com")
        db_session.add(newcomer)
        db_session.flush()
        assert newcomer.id > 300
        db_session.delete(newcomer)
    engine.dispose()
