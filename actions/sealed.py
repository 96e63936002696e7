"""Slot values that must wait a turn without resting in the clear.

A new delivery address waits in the tracker until the customer says yes (actions/safe_forms.py),
and Rasa's tracker store keeps every slot it writes. Masking it there (as `private_slots` once
did) would hand the CRM "[REDACTED]" as the address on the next turn. So the action server seals
the value (Fernet: authenticated encryption, with a key derived from its own BOT_SERVICE_TOKEN)
and opens it only when it uses it: the tracker store holds ciphertext, never the address.
"""

import base64
import hashlib
import logging
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from actions.settings import load_settings

logger = logging.getLogger(__name__)

PREFIX = "sealed:"
_KEY_CONTEXT = b"concierge slot seal v1:"


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(_KEY_CONTEXT + secret.encode()).digest()))


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(value: str) -> str:
    """`value` encrypted, with a prefix that says so (sealing twice is a no-op)."""
    if is_sealed(value):
        return value
    return PREFIX + _fernet(load_settings().service_token).encrypt(value.encode()).decode()


def unseal(value: object) -> str | None:
    """The clear value of a sealed slot; None for a value that cannot be opened (another key)."""
    if value is None or not is_sealed(value):
        return value  # type: ignore[return-value]
    try:
        return _fernet(load_settings().service_token).decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        logger.warning("A sealed slot could not be opened (the service token changed?)")
        return None
