"""Reading customers."""

from sqlalchemy.orm import Session

from crm_backend.customers.models import Customer


def get_customer(*, db_session: Session, customer_id: int) -> Customer | None:
    """The customer with this id, or None."""
    return db_session.get(Customer, customer_id)
