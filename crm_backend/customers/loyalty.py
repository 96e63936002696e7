"""The loyalty programme's tiers: the points each needs, and how far the next one is.

The CRM decides tiers; the bot only says what this module answers (through /bot/profile).
"""

from dataclasses import dataclass

from crm_backend.customers.models import LoyaltyAccount

# (tier, points needed), lowest first.
TIERS: tuple[tuple[str, int], ...] = (("bronze", 0), ("silver", 800), ("gold", 2000))
TOP_TIER = TIERS[-1][0]
# The tiers greeted as VIPs (offers.service.greeting): the one mapping of tier to treatment.
VIP_TIERS = frozenset({"silver", "gold"})


@dataclass(frozen=True)
class LoyaltyStanding:
    points: int
    tier: str
    next_tier: str | None  # None at the top tier
    points_to_next_tier: int | None


def tier_for(points: int) -> str:
    """The tier that `points` earn."""
    return next(name for name, needed in reversed(TIERS) if points >= needed)


def standing(account: LoyaltyAccount) -> LoyaltyStanding:
    """The account's tier and the points still missing for the next one.

    The stored tier counts (the shop may grant one by hand, or import a tier of its own),
    but a known tier is never below what the points have earned."""
    ranks = [name for name, _ in TIERS]
    if account.tier not in ranks:
        return LoyaltyStanding(account.points, account.tier, None, None)
    tier = max(account.tier, tier_for(account.points), key=ranks.index)
    higher = TIERS[ranks.index(tier) + 1 :]
    if not higher:
        return LoyaltyStanding(account.points, tier, None, None)
    next_tier, needed = higher[0]
    return LoyaltyStanding(account.points, tier, next_tier, needed - account.points)
