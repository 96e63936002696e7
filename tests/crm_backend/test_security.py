import time

import pytest

from crm_backend.core.security import (
    InvalidCustomerToken,
    issue_customer_token,
    service_token_matches,
    verify_customer_token,
)

SECRET = "s" * 40


def test_token_round_trip():
    token = issue_customer_token(42, secret=SECRET, ttl_seconds=60)
    assert verify_customer_token(token, secret=SECRET) == 42


def test_expired_token_raises():
    token = issue_customer_token(42, secret=SECRET, ttl_seconds=60, now=time.time() - 120)
    with pytest.raises(InvalidCustomerToken, match="expired"):
        verify_customer_token(token, secret=SECRET)


def test_tampered_token_raises():
    token = issue_customer_token(42, secret=SECRET, ttl_seconds=60)
    header, _payload, signature = token.split(".")
    forged = issue_customer_token(43, secret=SECRET, ttl_seconds=60).split(".")[1]
    with pytest.raises(InvalidCustomerToken):
        verify_customer_token(f"{header}.{forged}.{signature}", secret=SECRET)


def test_unsigned_token_raises():
    import jwt

    token = jwt.encode({"sub": "1", "aud": "concierge-chat", "iat": 0, "exp": 2**40}, key=None, algorithm="none")
    with pytest.raises(InvalidCustomerToken):
        verify_customer_token(token, secret=SECRET)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "1"])
def test_garbage_raises(garbage):
    with pytest.raises(InvalidCustomerToken):
        verify_customer_token(garbage, secret=SECRET)


def test_service_token_comparison():
    assert service_token_matches("abc", "abc")
    assert not service_token_matches("abd", "abc")
    assert not service_token_matches(None, "abc")
