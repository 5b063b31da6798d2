"""Amazon UK selling fees for the simulated seller: DIY & Tools referral fee and an FBA rate card."""

from __future__ import annotations

from dataclasses import dataclass

REFERRAL_RATE = 0.1326  # 13% DIY & Tools plus the 2% digital services surcharge
REFERRAL_MINIMUM = 0.25
RATE_CARD_DATE = "2025-04-01"

# Size tier: max dimensions (cm, sorted longest first), max unit weight (g), fee steps (max g, GBP).
FBA_TIERS: list[tuple[str, tuple[float, float, float], int, list[tuple[int, float]]]] = [
    ("Small envelope", (20, 15, 1), 80, [(80, 1.83)]),
    ("Standard envelope", (33, 23, 2.5), 460, [(60, 2.07), (210, 2.13), (460, 2.36)]),
    ("Large envelope", (33, 23, 4), 960, [(960, 2.73)]),
    ("Extra-large envelope", (33, 23, 6), 960, [(960, 2.97)]),
    ("Small parcel", (35, 25, 12), 3900,
     [(150, 3.02), (400, 3.22), (900, 3.44), (1400, 3.74), (1900, 4.07), (3900, 5.17)]),
    ("Standard parcel", (45, 34, 26), 11900,
     [(150, 3.19), (400, 3.44), (900, 3.81), (1400, 4.07), (1900, 4.35), (2900, 5.21), (3900, 5.83),
      (5900, 6.77), (8900, 7.59), (11900, 8.65)]),
    ("Small oversize", (61, 46, 46), 4760, [(760, 5.45), (1260, 5.91), (1760, 6.22), (4760, 7.98)]),
    ("Standard oversize", (120, 60, 60), 29760,
     [(760, 6.99), (1760, 7.81), (5760, 9.12), (15760, 11.32), (29760, 14.50)]),
]


@dataclass(frozen=True)
class FeeQuote:
    price: float
    referral_fee: float
    fba_fee: float
    size_tier: str

    @property
    def total(self) -> float:
        return round(self.referral_fee + self.fba_fee, 2)


def referral_fee(price_incl_vat: float) -> float:
    return round(max(REFERRAL_MINIMUM, REFERRAL_RATE * price_incl_vat), 2)


def size_tier(dims_cm: tuple[float, float, float], weight_g: int) -> tuple[str, float]:
    """(tier name, FBA fulfilment fee) for a packaged unit."""
    dims = sorted(dims_cm, reverse=True)
    for name, limit, max_g, steps in FBA_TIERS:
        if all(d <= lim for d, lim in zip(dims, limit)) and weight_g <= max_g:
            for step_g, fee in steps:
                if weight_g <= step_g:
                    return name, fee
    return "Large oversize", 19.95


def quote(price: float, dims_cm: tuple[float, float, float], weight_g: int, fba: bool) -> FeeQuote:
    tier, fee = size_tier(dims_cm, weight_g)
    return FeeQuote(price=price, referral_fee=referral_fee(price), fba_fee=fee if fba else 0.0, size_tier=tier)
