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
import threading
import time
from collections import deque

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


class LoginThrottle:
    """Counts failed logins per email in a sliding window, in this process's memory only.

    With several worker processes each keeps its own count, so the effective limit is
    `max_failures` times the number of workers; state is lost on restart. That is enough to
    make online guessing slow; a shared store (Redis) would make it exact.
    """

    def __init__(self, *, max_failures: int, window_seconds: float, max_tracked: int = 10_000) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self.max_tracked = max_tracked
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures

    def is_blocked(self, email: str, *, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            return len(self._recent(email.lower(), now)) >= self.max_failures

    def record_failure(self, email: str, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        key = email.lower()
        with self._lock:
            failures = self._recent(key, now)
            if key not in self._failures and len(self._failures) >= self.max_tracked:
                self._prune(now)
            failures.append(now)
            self._failures[key] = failures

    def reset(self, email: str) -> None:
        with self._lock:
            self._failures.pop(email.lower(), None)

    def _prune(self, now: float) -> None:
        for key in list(self._failures):
            self._recent(key, now)
        while len(self._failures) >= self.max_tracked:  # still full: forget the oldest
            self._failures.pop(next(iter(self._failures)))
