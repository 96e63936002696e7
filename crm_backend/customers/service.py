"""Reading customers."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from crm_backend.customers.models import Consent, Customer


def get_customer(*, db_session: Session, customer_id: int) -> Customer | None:
    """The customer with this id, or None."""
    return db_session.get(Customer, customer_id)


def set_consent(*, db_session: Session, customer: Customer, purpose: str, granted: bool, source: str) -> Consent:
    """Record a consent, creating or updating the customer's row for `purpose`."""
    consent = next((c for c in customer.consents if c.purpose == purpose), None)
    if consent is None:
        consent = Consent(purpose=purpose, granted=granted, source=source)
        customer.consents.append(consent)
    consent.granted, consent.source, consent.updated_at = granted, source, datetime.now(UTC)
    db_session.flush()
    return consent
