"""The simulated seller's catalogue: SKUs, ASINs, variation families, FBA/FBM offers and launch content."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from .world_catalog_data import CATEGORIES, COLOUR_VALUES, OWN_BRANDS, RESOLD_BRANDS, SIZE_VALUES
from .world_content import (Dice, content_quality, make_bullets, make_description, make_images,
                            make_search_terms, make_title)

MARKETPLACE_ID = "A1F83G8C2ARO7P"
CURRENCY = "GBP"
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LAUNCH_FROM, _LAUNCH_TO = dt.date(2018, 6, 1), dt.date(2025, 3, 1)
_LATE_LAUNCH_TO = dt.date(2026, 8, 1)


@dataclass
class Listing:
    """One SKU as the seller knows it. Content here is the launch content; edits live in the world."""

    idx: int
    sku: str
    asin: str
    parent_asin: str
    category: str
    brand: str
    own_brand: bool
    is_parent: bool
    parent_idx: int
    variation_theme: str | None
    size: str | None
    colour: str | None
    fulfilment: str  # "AFN" (FBA) or "MFN" (merchant fulfilled)
    twin_of: int  # index of the SKU whose ASIN this offer shares, -1 if none
    title: str
    bullets: list[str]
    description: str | None
    search_terms: str
    images: list[dict]
    has_aplus: bool
    price: float
    product_type: str
    weight_g: int
    dims_cm: tuple[float, float, float]
    open_date: dt.date
    listing_id: str
    ean: str
    fnsku: str
    spec: dict = field(repr=False)

    @property
    def buyable(self) -> bool:
        return not self.is_parent

    @property
    def category_display(self) -> str:
        return CATEGORIES[self.category]["display"]


def _ean13(body12: str) -> str:
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def _asin(dice: Dice, used: set[str]) -> str:
    while True:
        asin = "B0" + "".join(dice.pick(_ALNUM) for _ in range(8))
        if asin not in used:
            used.add(asin)
            return asin


def _price_99(x: float) -> float:
    """Shelf prices end in .99 or .49 like real UK listings."""
    return round(max(0.99, np.floor(x) + (0.49 if x - np.floor(x) < 0.5 else 0.99)), 2)


def _dims(weight_g: int, dice: Dice) -> tuple[float, float, float]:
    scale = (weight_g / 500.0) ** (1 / 3)
    dims = sorted((round(22 * scale * (0.8 + 0.4 * dice.u()), 1), round(14 * scale * (0.8 + 0.4 * dice.u()), 1),
                   round(max(0.5, 4 * scale * (0.5 + dice.u())), 1)), reverse=True)
    return tuple(dims)  # type: ignore[return-value]


def _open_date(dice: Dice) -> dt.date:
    if dice.chance(0.06):  # recent launches appear inside the default window
        lo, hi = _LAUNCH_TO, _LATE_LAUNCH_TO
    else:
        lo, hi = _LAUNCH_FROM, _LAUNCH_TO
    return lo + dt.timedelta(days=int(dice.u() * (hi - lo).days))


def _content(spec: dict, asin: str, dice: Dice) -> dict:
    flaw = None
    r = dice.u()
    if r < 0.04:
        flaw = "long"
    elif r < 0.07:
        flaw = "forbidden"
    elif r < 0.10:
        flaw = "repeat"
    n_bullets = dice.pick([0, 2, 3, 4, 5, 5, 5, 5, 5, 5])
    return {
        "title": make_title(spec, dice, flaw),
        "bullets": make_bullets(spec, dice, n_bullets, too_long=dice.chance(0.08)),
        "description": make_description(spec, dice) if dice.chance(0.8) else None,
        "search_terms": make_search_terms(spec, dice, over_limit=dice.chance(0.12)),
        "images": make_images(asin, dice, small_main=dice.chance(0.12)),
    }


def build_catalog(seed: int, listing_count: int) -> list[Listing]:
    """All SKUs (variation parents count as listings); deterministic in (seed, listing_count)."""
    n = int(listing_count)
    uniforms = np.random.default_rng([seed, 0]).random((n + 8, 96))
    used_asins: set[str] = set()
    cats = list(CATEGORIES)
    listings: list[Listing] = []
    family = 0
    while len(listings) < n:
        idx = len(listings)
        dice = Dice(uniforms[idx])
        cat_key = dice.pick(cats)
        cat = CATEGORIES[cat_key]
        kind = dice.pick(cat["kinds"])
        own = dice.chance(0.6)
        brand = dice.pick(OWN_BRANDS if own else RESOLD_BRANDS)
        prefix = "".join(w[0] for w in brand.replace("&", "").split())[:3].upper()
        family += 1
        base_sku = f"{prefix}-{''.join(w[0] for w in kind['noun'].split())[:3].upper()}-{family:04d}"
        price = kind["price"][0] + dice.u() ** 1.6 * (kind["price"][1] - kind["price"][0])
        spec = {"brand": brand, "spec": dice.pick(kind["specs"]), "kind": kind, "pack": dice.pick(kind["packs"]),
                "price": price, "category": cat_key}
        weight = int(kind["weight"][0] + dice.u() * (kind["weight"][1] - kind["weight"][0]))
        opened = _open_date(dice)
        fba = dice.chance(0.7)
        room = n - idx
        theme = kind["variation"]
        shape = "single"
        if theme and room >= 3 and dice.chance(0.35):
            shape = "family"
        elif room >= 2 and dice.chance(0.06):
            shape = "twins"
        common = dict(category=cat_key, brand=brand, own_brand=own, product_type=cat["product_type"])

        def add(sku, *, is_parent=False, parent_idx=-1, parent_asin=None, size=None, colour=None,
                fulfilment="AFN" if fba else "MFN", twin_of=-1, asin=None, content=None, price_mult=1.0,
                theme_=None):
            i = len(listings)
            d = Dice(uniforms[i]) if i != idx else dice
            s = dict(spec, size=size, colour=colour)
            a = asin or _asin(d, used_asins)
            c = content or _content(s, a, d)
            listings.append(Listing(
                idx=i, sku=sku, asin=a, parent_asin=parent_asin or a, is_parent=is_parent, parent_idx=parent_idx,
                variation_theme=theme_, size=size, colour=colour, fulfilment=fulfilment, twin_of=twin_of,
                title=c["title"], bullets=c["bullets"], description=c["description"],
                search_terms=c["search_terms"], images=c["images"],
                has_aplus=own and d.chance(0.45), price=_price_99(price * price_mult), weight_g=weight,
                dims_cm=_dims(weight, d), open_date=opened + dt.timedelta(days=d.randint(0, 20) if parent_idx >= 0 else 0),
                listing_id=f"{opened:%m%d}{''.join(d.pick(_ALNUM) for _ in range(7))}",
                ean=_ean13("50" + "".join(str(d.randint(0, 9)) for _ in range(10))),
                fnsku="X00" + "".join(d.pick(_ALNUM) for _ in range(7)) if fulfilment == "AFN" else "",
                spec=s, **common))
            return listings[-1]

        if shape == "family":
            sizes = SIZE_VALUES.get(kind["noun"], kind["specs"]) if "size" in theme else [None]
            colours = COLOUR_VALUES.get(kind["noun"], ["Black", "Yellow"]) if "colour" in theme else [None]
            combos = [(s, c) for s in sizes for c in colours]
            k = min(len(combos), room - 1, 2 + int(dice.u() * 5))
            theme_name = {"size": "SIZE_NAME", "colour": "COLOR_NAME", "size_colour": "SIZE_NAME/COLOR_NAME"}[theme]
            parent = add(base_sku, is_parent=True, fulfilment="", theme_=theme_name)
            tags: set[str] = set()
            for j, (s, c) in enumerate(combos[:k]):
                tag = "-".join(x.split()[-1].strip("()").upper()[:4] for x in (s, c) if x)
                tag = tag if tag and tag not in tags else f"{tag}{j + 1}"
                tags.add(tag)
                add(f"{base_sku}-{tag}", parent_idx=parent.idx, parent_asin=parent.asin, size=s, colour=c,
                    price_mult=1.0 + 0.06 * j, theme_=theme_name)
        elif shape == "twins":
            first = add(base_sku, fulfilment="AFN")
            shared = {k_: getattr(first, k_) for k_ in ("title", "bullets", "description", "search_terms", "images")}
            add(f"{base_sku}-FBM", fulfilment="MFN", twin_of=first.idx, asin=first.asin, content=shared,
                price_mult=0.97)
            listings[-1].has_aplus = first.has_aplus
        else:
            add(base_sku)
    for lst in listings:
        # Parents are not offers: no price, no stock, no fulfilment.
        if lst.is_parent:
            lst.price = float("nan")
            lst.fnsku = ""
        # A+ content belongs to the family: children show their parent's.
        if lst.parent_idx >= 0:
            lst.has_aplus = listings[lst.parent_idx].has_aplus
    return listings[:n]


def catalog_arrays(seed: int, listings: list[Listing]) -> dict[str, np.ndarray]:
    """Per-listing demand parameters as arrays (the hidden truth behind the traffic)."""
    n = len(listings)
    rng = np.random.default_rng([seed, 1])
    buyable = np.array([not x.is_parent for x in listings])
    fba = np.array([x.fulfilment == "AFN" for x in listings])
    quality = np.array([content_quality(x.title, x.bullets, x.description, x.images, x.has_aplus) for x in listings])
    # Niche volumes: median well under one unit a day, a long tail of good sellers at 3-12/day.
    base_units = np.clip(rng.lognormal(np.log(0.45), 1.15, n), 0.03, 12.0)
    base_conv = rng.uniform(0.06, 0.16, n) * quality
    twins = np.array([x.twin_of >= 0 for x in listings])
    bb_base = np.where(twins, rng.uniform(0.25, 0.6, n), rng.uniform(0.85, 1.0, n))
    cycle = rng.integers(30, 91, n)
    cover = np.where(rng.random(n) < 0.15, rng.uniform(0.72, 0.95, n), rng.uniform(1.1, 1.6, n))
    never_changes = rng.random(n) < 0.2
    return {
        "buyable": buyable,
        "fba": fba & buyable,
        "price": np.array([x.price for x in listings], dtype=float),
        "elasticity": np.where(buyable, rng.uniform(-3.0, -0.5, n), 0.0),
        "base_units": np.where(buyable, base_units, 0.0),
        "base_conv": np.where(buyable, base_conv, 0.0),
        "quality": quality,
        "bb_base": np.where(buyable, bb_base, 0.0),
        "mobile_share": rng.uniform(0.45, 0.75, n),
        "pv_per_session": rng.uniform(1.1, 1.6, n),
        "open_ord": np.array([x.open_date.toordinal() for x in listings]),
        "event_rate": np.where(never_changes | ~buyable, 0.0, rng.uniform(0.45, 0.9, n)),
        "stock_cycle": cycle,
        "stock_phase": rng.integers(0, 91, n),
        "stock_cover": cover,
        "reserved_share": rng.uniform(0.0, 0.08, n),
        "fbm_quantity": rng.integers(5, 250, n),
        "refund_rate": rng.uniform(0.0, 0.05, n),
    }
