"""Listing copy for the simulated seller: titles, bullets, descriptions, search terms, images, and edits."""

from __future__ import annotations

import hashlib

import numpy as np

from .world_catalog_data import BULLET_BODIES, BULLET_HEADS, DESCRIPTIONS, FILLER_TERMS

CONTENT_FIELDS = ("title", "bullets", "description", "search_terms")


class Dice:
    """Draws from a fixed row of uniforms: cheap per-listing randomness that stays deterministic."""

    def __init__(self, uniforms: np.ndarray):
        self._u = uniforms
        self._i = 0

    @classmethod
    def seeded(cls, *key: int, size: int = 64) -> "Dice":
        return cls(np.random.default_rng(list(key)).random(size))

    def u(self) -> float:
        v = float(self._u[self._i % len(self._u)])
        self._i += 1
        return v

    def chance(self, p: float) -> bool:
        return self.u() < p

    def pick(self, seq):
        return seq[int(self.u() * len(seq))]

    def randint(self, lo: int, hi: int) -> int:
        """Integer in [lo, hi] inclusive."""
        return lo + int(self.u() * (hi - lo + 1))

    def sample(self, seq, k: int) -> list:
        pool = list(seq)
        out = []
        for _ in range(min(k, len(pool))):
            out.append(pool.pop(int(self.u() * len(pool))))
        return out


def pack_phrase(pack: int) -> str:
    return f"Pack of {pack}" if pack > 1 else ""


def make_title(spec: dict, dice: Dice, flaw: str | None) -> str:
    """A UK Amazon style title; `flaw` plants one rule break: long, forbidden, repeat."""
    kind = spec["kind"]
    features = dice.sample(kind["features"], 2)
    parts = [f"{spec['brand']} {spec['spec']} {kind['noun']}", *features]
    if spec.get("pack", 1) > 1:
        parts.append(pack_phrase(spec["pack"]))
    title = ", ".join(parts)
    variant = ", ".join(v for v in (spec.get("size"), spec.get("colour")) if v)
    if variant:
        title += f" ({variant})"
    if flaw == "long":
        kws = ", ".join(kind["keywords"])
        title += (f" - Ideal for {kws}, Professional and DIY Use in the Home, Garden, Garage, Shed and "
                  f"Workshop, Trade Quality Guaranteed, Fast UK Dispatch from our Midlands Warehouse")
    elif flaw == "forbidden":
        title += dice.pick([" - Best Value!", " - Why Pay More?", " - Top Quality!!"])
    elif flaw == "repeat":
        word = kind["noun"].split()[-1]
        title += f", {word} for DIY, Trade {word}"
    return title


def make_bullets(spec: dict, dice: Dice, count: int, too_long: bool) -> list[str]:
    heads = dice.sample(BULLET_HEADS, count)
    bullets = []
    for head in heads:
        body = dice.pick(BULLET_BODIES)
        bullets.append(f"{head}: {spec['kind']['noun']} by {spec['brand']}. {body}.")
    if too_long and bullets:
        # Amazon truncates bullets past ~500 characters; some sellers paste whole paragraphs.
        bullets[0] += " " + " ".join(dice.pick(BULLET_BODIES) + "." for _ in range(6))
    return bullets


def make_description(spec: dict, dice: Dice) -> str:
    template = dice.pick(DESCRIPTIONS)
    noun = spec["kind"]["noun"]
    hint = int(spec["price"] * 1.6) + 1
    return template.format(noun=noun, noun_lower=noun.lower(), brand=spec["brand"], price_hint=hint)


def make_search_terms(spec: dict, dice: Dice, over_limit: bool) -> str:
    """Backend search terms: space separated, meant to stay under 250 bytes."""
    words = list(dict.fromkeys(" ".join(spec["kind"]["keywords"]).split()))
    words += dice.sample(FILLER_TERMS, 5)
    terms = " ".join(words)
    if over_limit:
        extra = " ".join(FILLER_TERMS) + " " + " ".join(k for k in spec["kind"]["keywords"])
        while len(terms.encode("utf-8")) <= 249:
            terms += " " + extra
    else:
        while len(terms.encode("utf-8")) > 249:
            terms = terms.rsplit(" ", 1)[0]
    return terms


def image_code(*key) -> str:
    digest = hashlib.sha1("|".join(map(str, key)).encode()).hexdigest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-"
    n = int(digest, 16)
    code = ""
    for _ in range(9):
        n, r = divmod(n, len(alphabet))
        code += alphabet[r]
    return ("7" if int(digest[0], 16) < 12 else "6") + code + "L"


def make_images(asin: str, dice: Dice, small_main: bool) -> list[dict]:
    """Main image plus 0-8 others with pixel sizes; some mains are below the 1000 px zoom size."""
    side = dice.randint(500, 950) if small_main else dice.randint(1200, 2560)
    images = [{"variant": "MAIN", "link": f"https://m.media-amazon.com/images/I/{image_code(asin, 0)}.jpg",
               "height": side, "width": side}]
    others = min(8, int(dice.u() * 9.5))
    for k in range(1, others + 1):
        side = dice.pick([500, 1000, 1500, 2000])
        images.append({"variant": f"PT{k:02d}", "link": f"https://m.media-amazon.com/images/I/{image_code(asin, k)}.jpg",
                       "height": side, "width": side})
    return images


def edited_content(spec: dict, field: str, old: dict, dice: Dice) -> object:
    """The new value of `field` after a content edit; depends only on the listing and the edit's dice."""
    if field == "title":
        # Edits mostly fix rule breaks, sometimes rewrite the feature order or add a keyword.
        flaw = dice.pick([None, None, None, "long"]) if dice.chance(0.2) else None
        title = make_title(spec, dice, flaw)
        if dice.chance(0.4):
            title += f", {dice.pick(spec['kind']['keywords']).title()}"
        return title[:250]
    if field == "bullets":
        return make_bullets(spec, dice, dice.randint(max(3, len(old["bullets"])), 5), too_long=dice.chance(0.1))
    if field == "description":
        return make_description(spec, dice)
    if field == "search_terms":
        return make_search_terms(spec, dice, over_limit=dice.chance(0.15))
    raise ValueError(f"unknown content field {field!r}")


def content_quality(title: str, bullets: list[str], description: str | None, images: list[dict],
                    has_aplus: bool) -> float:
    """Static conversion multiplier from the launch content (0.8 to ~1.15)."""
    q = 1.0
    q += 0.02 * (len(bullets) - 3)
    q += 0.03 if description else -0.04
    q += 0.01 * (len(images) - 4)
    q += -0.06 if images[0]["width"] < 1000 else 0.0
    q += 0.05 if has_aplus else 0.0
    q += -0.04 if len(title) > 200 else 0.0
    return float(np.clip(q, 0.8, 1.15))
