"""Where someone lives: street addresses (`redaction.streets`) and postcodes
(`redaction.postcodes`), some of which count only because an address precedes them."""

from redaction.postcodes import find_postcodes
from redaction.rules import PiiSpan
from redaction.streets import find_addresses


def find_places(text: str) -> list[PiiSpan]:
    """Addresses, and postcodes (some of which count only because an address precedes them)."""
    addresses = find_addresses(text)
    return addresses + find_postcodes(text, addresses)
