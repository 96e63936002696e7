"""Agents' passwords, session tokens and the guard against password guessing.

Passwords are hashed with the standard library's scrypt and stored as a self-describing
string, `scrypt$<n>$<r>$<p>$<salt>$<hash>` (salt and hash in URL-safe base64), so the cost
can be raised later without breaking stored hashes. Session tokens are random and opaque;
only their SHA-256 is stored.
"""

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

from crm_backend.core.throttle import GrowingDelay

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_KEY_BYTES = 32
SALT_BYTES = 16
_SCHEME = "scrypt"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, *, n: int, r: int, p: int, key_bytes: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=key_bytes, maxmem=128 * r * n * p + 2**20)


def hash_password(password: str) -> str:
    """A salted scrypt hash of `password` in the self-describing format."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, key_bytes=SCRYPT_KEY_BYTES)
    return f"{_SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches `stored`; malformed hashes never match."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != _SCHEME:
            return False
        expected = _unb64(key)
        presented = _scrypt(password, _unb64(salt), n=int(n), r=int(r), p=int(p), key_bytes=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(presented, expected)


# Verified against when the email is unknown, so that answering takes as long either way.
_DUMMY_HASH = f"{_SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(b'0' * SALT_BYTES)}${_b64(b'0' * SCRYPT_KEY_BYTES)}"


def burn_password_check(password: str) -> None:
    """Spend the time of a real check, for an unknown email."""
    verify_password(password, _DUMMY_HASH)


def new_session_token() -> str:
    """A fresh opaque bearer token (256 random bits)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored for a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


class LoginGuard:
    """Slows password guessing without letting anyone lock an account's owner out.

    Failures are counted per client address and per (account, address), never per account
    alone: five wrong passwords from one address slow that address down, while the real
    owner logging in from another address is not affected. Each further failure doubles the
    wait (`GrowingDelay`). A success clears the (account, address) count but not the
    address's own, so a guesser with one valid account cannot reset its spraying count.
    """

    def __init__(
        self,
        *,
        max_failures: int,
        max_failures_per_ip: int,
        base_delay_seconds: float,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        common = {"base_seconds": base_delay_seconds, "max_seconds": window_seconds, "forget_seconds": window_seconds}
        self._per_account_ip = GrowingDelay(free_failures=max_failures, clock=clock, **common)
        self._per_ip = GrowingDelay(free_failures=max_failures_per_ip, clock=clock, **common)

    @staticmethod
    def _pair(email: str, ip: str) -> str:
        return f"{email.strip().lower()}|{ip}"

    def wait_seconds(self, email: str, ip: str) -> float:
        """0 if this address may try this account now, else the seconds still to wait."""
        return max(self._per_ip.wait_seconds(ip), self._per_account_ip.wait_seconds(self._pair(email, ip)))

    def record_failure(self, email: str, ip: str) -> int:
        """Count a wrong password; returns the (account, address) failures so far."""
        self._per_ip.record_failure(ip)
        return self._per_account_ip.record_failure(self._pair(email, ip))

    def record_success(self, email: str, ip: str) -> None:
        self._per_account_ip.reset(self._pair(email, ip))
