"""Which customer a stored conversation belongs to, from the token its messages carried.

The widget or bridge put a signed customer token into each user message's metadata, and
Rasa stored it. Reviewing a conversation later, the token has usually expired; its signature
still proves who the customer was, so expiry is not checked here (only signature and
audience). The token is never shown to agents or sent to the browser.
"""

import jwt

from crm_backend.core.security import TOKEN_ALGORITHM, TOKEN_AUDIENCE

CUSTOMER_TOKEN_KEY = "customer_token"
MAX_TOKEN_LENGTH = 4096


class TokenVerifier:
    """Verifies customer tokens with the CRM's secret, remembering recent answers."""

    def __init__(self, secret: str, cache_size: int = 10_000) -> None:
        self._secret = secret
        self._cache: dict[str, int | None] = {}
        self._cache_size = cache_size

    def customer_id(self, metadata: object) -> int | None:
        """The customer id a message's metadata vouches for, or None."""
        token = metadata.get(CUSTOMER_TOKEN_KEY) if isinstance(metadata, dict) else None
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        if token not in self._cache:
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[token] = self._verify(token)
        return self._cache[token]

    def _verify(self, token: str) -> int | None:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[TOKEN_ALGORITHM],
                audience=TOKEN_AUDIENCE,
                options={"verify_exp": False, "require": ["sub", "aud"]},
            )
            return int(claims["sub"])
        except (jwt.PyJWTError, ValueError, TypeError):
            return None
