"""Customer identity tokens and the bot's service token.

A customer is known to the bot only through a short-lived token that the shop's backend
(or a channel bridge) signs with `CUSTOMER_TOKEN_SECRET`. The bot never trusts a bare
customer id: the action server forwards the token, and this service checks it.
"""

import hmac
import time

import jwt

TOKEN_AUDIENCE = "concierge-chat"
TOKEN_ALGORITHM = "HS256"


class InvalidCustomerToken(Exception):
    """The token is missing, forged, expired or meant for someone else."""


def issue_customer_token(customer_id: int, *, secret: str, ttl_seconds: int, now: float | None = None) -> str:
    """A signed token saying "this chat user is customer `customer_id`" until it expires."""
    issued_at = int(now if now is not None else time.time())
    claims = {
        "sub": str(customer_id),
        "aud": TOKEN_AUDIENCE,
        "iat": issued_at,
        "exp": issued_at + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM)


def verify_customer_token(token: str, *, secret: str) -> int:
    """The customer id that `token` vouches for; raises `InvalidCustomerToken` otherwise."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[TOKEN_ALGORITHM],
            audience=TOKEN_AUDIENCE,
            options={"require": ["sub", "exp", "iat", "aud"]},
        )
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError) as error:
        raise InvalidCustomerToken(str(error)) from error


def service_token_matches(presented: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented service token with the configured one."""
    return presented is not None and hmac.compare_digest(presented.encode(), expected.encode())
