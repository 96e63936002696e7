"""The transaction importer on SQLite and PostgreSQL: accounting, quirks, idempotency, reports."""

import csv
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from import_factories import (
    QUIRKS,
    expected_count,
    expected_rejections,
    line,
    quirk_lines,
    write_transactions,
)
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from crm_backend.customers.models import Customer
from crm_backend.imports.models import OrderCharge
from crm_backend.orders.models import Order

TABLES = ("customers", "products", "orders", "order_items", "order_charges")


def table_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in TABLES}


def order_totals(engine) -> dict[str, Decimal]:
    with Session(engine) as db_session:
        return {order.number: order.total for order in db_session.scalars(select(Order))}


def test_every_row_is_accounted_for(run_import, tmp_path):
    summary = run_import(write_transactions(tmp_path / "quirks.csv", quirk_lines()))

    assert summary.rows_read == len(QUIRKS)
    assert summary.imported == expected_count("imported")
    assert summary.merged == expected_count("merged") == 1
    assert summary.rejected == Counter(expected_rejections().values())
    assert summary.imported + summary.merged + summary.rejected_total == summary.rows_read
    # 12001 and 12003; 12002's only line is rejected, so no customer is made for it.
    assert (summary.customers_created, summary.orders_created) == (2, 7)
    assert summary.products_created == 4  # 20001, 20002, 20003, 20007: the others' lines are rejected
    assert (summary.items_created, summary.charges_created) == (7, 3)


def test_rejection_report_names_each_row_and_reason(run_import, tmp_path):
    source = write_transactions(tmp_path / "quirks.csv", quirk_lines())
    summary = run_import(source, report_path=tmp_path / "out" / "report.csv")

    with open(tmp_path / "out" / "report.csv", encoding="utf-8", newline="") as report:
        rows = list(csv.DictReader(report))
    assert {int(row["row"]): row["reason"] for row in rows} == expected_rejections()
    assert {row["file"] for row in rows} == {str(source)}
    assert summary.report == str(tmp_path / "out" / "report.csv")
    by_reason = {row["reason"]: row for row in rows}
    assert (
        by_reason["invalid_utf8"]["raw_line"]
        == "900008,20006,CAF\\xc9 MUG,1,2010-12-01 08:26:00,2.00,12001.0,United Kingdom"
    )
    column_counts = [row["detail"] for row in rows if row["reason"] == "wrong_column_count"]
    assert column_counts == ["4 fields, expected 8", "9 fields, expected 8"]
    assert by_reason["stock_adjustment"]["raw_line"] == QUIRKS[11][0]


def test_orders_customers_products_and_charges_are_stored(run_import, engine, tmp_path):
    run_import(write_transactions(tmp_path / "quirks.csv", quirk_lines()))

    with Session(engine) as db_session:
        orders = {order.number: order for order in db_session.scalars(select(Order))}
        customer = db_session.scalars(select(Customer).where(Customer.external_ref == "12001")).one()
        charges = {(c.order.number, c.code): c for c in db_session.scalars(select(OrderCharge))}
        regular = orders["900001"]
        assert regular.status == "delivered" and regular.customer_id == customer.id
        assert [(item.product.sku, item.quantity, item.unit_price) for item in regular.items] == [
            ("20001", 6, Decimal("2.55")),
            ("20002", 12, Decimal("1.25")),
        ]
        # 6 × 2.55 + 12 × 1.25 + postage 18.00 + manual 3.00
        assert regular.total == Decimal("51.30")
        assert regular.currency == "GBP" and regular.country == "United Kingdom"
        assert regular.placed_at.replace(tzinfo=None).isoformat() == "2010-12-01T08:26:00"
        assert orders["C900002"].status == "cancelled" and orders["C900002"].total == Decimal("-5.10")
        assert orders["C900002"].items[0].quantity == -2
        assert orders["900003"].customer_id is None and orders["900003"].country == "France"
        assert orders["900004"].items[0].product.unit_price == Decimal("0.00")
        assert orders["900007"].placed_at.replace(tzinfo=None).isoformat() == "2011-12-09T12:50:00"
        assert orders["900009"].items[0].product.name == "MUG, SET OF 2"
        assert (customer.first_name, customer.last_name, customer.country) == ("Customer", "12001", "United Kingdom")
        assert {key: (c.kind, c.quantity, c.unit_amount) for key, c in charges.items()} == {
            ("900001", "POST"): ("postage", 1, Decimal("18.000")),
            ("900001", "m"): ("manual", 1, Decimal("3.000")),
            ("900005", "B"): ("bad_debt", 1, Decimal("-50.000")),
        }
        assert orders["900005"].total == Decimal("-50.00") and orders["900005"].items == []


def test_importing_the_same_file_again_changes_nothing(run_import, engine, tmp_path):
    source = write_transactions(tmp_path / "quirks.csv", quirk_lines())
    first = run_import(source)
    counts, totals = table_counts(engine), order_totals(engine)

    second = run_import(source)

    assert second.imported == 0
    assert second.merged == first.imported + first.merged
    assert second.rejected == first.rejected
    assert (second.customers_created, second.products_created, second.orders_created) == (0, 0, 0)
    assert table_counts(engine) == counts
    assert order_totals(engine) == totals


def test_a_later_file_adds_to_the_data(run_import, engine, tmp_path):
    run_import(write_transactions(tmp_path / "november.csv", quirk_lines()))
    counts = table_counts(engine)

    later = [
        line(code="20008", description="GREEN TEA MUG", quantity="1", price="4.00"),  # more of order 900001
        line(invoice="900020", customer="12004.0", date="2010-12-02 10:00:00"),  # a new order, new customer
        line(),  # already stored
    ]
    summary = run_import(write_transactions(tmp_path / "december.csv", later))

    assert (summary.imported, summary.merged, summary.rejected_total) == (2, 1, 0)
    assert (summary.customers_created, summary.products_created, summary.orders_created) == (1, 1, 1)
    after = table_counts(engine)
    assert after["order_items"] == counts["order_items"] + 2
    assert after["orders"] == counts["orders"] + 1
    assert order_totals(engine)["900001"] == Decimal("55.30")


def test_batches_that_split_invoices_give_the_same_result(run_import, engine, tmp_path):
    source = write_transactions(tmp_path / "quirks.csv", quirk_lines())
    summary = run_import(source, batch_size=2)

    assert summary.imported == expected_count("imported") and summary.merged == 1
    assert order_totals(engine)["900001"] == Decimal("51.30")


def test_gzip_input_imports_like_plain_csv(run_import, tmp_path):
    summary = run_import(write_transactions(tmp_path / "quirks.csv.gz", quirk_lines(), compress=True))

    assert summary.rows_read == len(QUIRKS)
    assert summary.imported == expected_count("imported")
    assert summary.rejected == Counter(expected_rejections().values())


def test_an_order_number_taken_by_another_customer_is_rejected(run_import, engine, tmp_path):
    with Session(engine) as db_session:
        owner = Customer(first_name="Ada", last_name="Lovelace", email="ada@example.com")
        db_session.add(owner)
        db_session.flush()
        db_session.add(
            Order(
                number="700001",
                customer_id=owner.id,
                status="delivered",
                placed_at=datetime(2026, 11, 20, tzinfo=UTC),
                total=Decimal("9.99"),
            )
        )
        db_session.commit()

    summary = run_import(write_transactions(tmp_path / "clash.csv", [line(invoice="700001")]))

    assert summary.rejected == Counter({"order_customer_mismatch": 1}) and summary.imported == 0
    assert order_totals(engine)["700001"] == Decimal("9.99")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_large_price_scale_and_quoted_line_break_are_handled(run_import, tmp_path):
    lines = [
        line(price="0.125"),  # rounded to cents for products
        '900002,20002,"TWO-LINE\nDESCRIPTION",1,2010-12-01 08:26:00,1.00,12001.0,United Kingdom',
        line(invoice="900003"),
    ]
    summary = run_import(write_transactions(tmp_path / "odd.csv", lines))

    assert (summary.rows_read, summary.imported) == (3, 3)
