"""The content rules a proposed title, bullets, description or search terms must pass before they are proposed.

The limits are read from the dbt macro that scores listings (dbt_project/macros/listing_scoring_rules.sql,
rendered with Jinja), and each check measures the way the dbt models do (int_listing_title_checks,
int_listing_content_checks, int_listing_seo_checks): the same normalisation of words, exempt words and
bare numbers for repetition, bytes of the trimmed terms joined by spaces for search terms. So a template
can never be proposed that the score would then fail.

Errors block a proposal (a rule the score fails outright: title length, forbidden characters, a word more
than twice, more bullets than shown, a bullet outside the length band, description over the limit, search
terms over 249 bytes, an empty field); warnings only inform (fewer bullets than recommended, a short
description, backend words that repeat the title).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import jinja2

from orchestration import settings

CONTENT_FIELDS = ("title", "bullet_points", "description", "search_terms")


class _Returned(Exception):
    pass


@lru_cache(maxsize=1)
def scoring_rules() -> dict:
    """The dict `listing_scoring_rules()` returns in dbt (its `{{ return(...) }}` captured here)."""
    path = settings.DBT_PROJECT_DIR / "macros" / "listing_scoring_rules.sql"
    captured = {}

    def _return(value):
        captured["rules"] = value
        return ""

    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    template = env.from_string(path.read_text() + "{{ listing_scoring_rules() }}")
    template.render(**{"return": _return})
    if "rules" not in captured:
        raise RuntimeError(f"{path}: listing_scoring_rules() returned nothing")
    return captured["rules"]


def normalize_for_matching(text: str | None) -> str | None:
    """dbt macro normalize_for_matching: lower case, apostrophes dropped, other non-alphanumerics a space."""
    if text is None:
        return None
    words = re.sub(r"[\W_]+", " ", text.lower().replace("'", "").replace("\u2019", "")).strip()
    return words or None


@dataclass
class ContentCheck:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        parts = [f"error: {e}" for e in self.errors] + [f"warning: {w}" for w in self.warnings]
        return "; ".join(parts) or "passes the content rules"


def _clean_list(values) -> list[str]:
    return [v.strip() for v in (values or []) if v and v.strip()]


def check_content(content: dict, fields: tuple[str, ...] = CONTENT_FIELDS) -> ContentCheck:
    """Check the given fields of `content` ({title, bullet_points, description, search_terms})."""
    rules = scoring_rules()
    out = ContentCheck()
    if "title" in fields:
        title = (content.get("title") or "").strip()
        if not title:
            out.errors.append("title is empty")
        else:
            limit = rules["title_max_characters"]
            if len(title) > limit:
                out.errors.append(f"title has {len(title)} characters; limit {limit}")
            found = sorted({c for c in title if c in rules["title_forbidden_characters"]})
            if found:
                out.errors.append(f"title contains {' '.join(found)}; Amazon forbids "
                                  f"{' '.join(rules['title_forbidden_characters'])}")
            exempt = set(rules["title_repeat_exempt_words"])
            counts = Counter(w for w in (normalize_for_matching(title) or "").split(" ")
                             if w and w not in exempt and not w.isdigit())
            over = sorted((w for w, n in counts.items() if n > rules["title_max_word_repeats"]),
                          key=lambda w: (-counts[w], w))
            if over:
                out.errors.append(", ".join(f"'{w}' appears {counts[w]} times" for w in over)
                                  + " in title; at most twice (articles and prepositions exempt)")
    if "bullet_points" in fields:
        bullets = _clean_list(content.get("bullet_points"))
        shown, low, high = rules["bullets_recommended"], rules["bullet_min_characters"], rules["bullet_max_characters"]
        if not bullets:
            out.errors.append("bullet points are empty")
        elif len(bullets) > shown:
            out.errors.append(f"{len(bullets)} bullet points; Amazon shows {shown}")
        elif len(bullets) < shown:
            out.warnings.append(f"{len(bullets)} bullet points; {shown} recommended")
        for i, bullet in enumerate(bullets[:shown], start=1):
            if not low <= len(bullet) <= high:
                out.errors.append(f"bullet {i} has {len(bullet)} characters; {low}-{high} expected")
    if "description" in fields:
        description = (content.get("description") or "").strip()
        if not description:
            out.errors.append("description is empty")
        elif len(description) > rules["description_max_characters"]:
            out.errors.append(f"description has {len(description)} characters; limit "
                              f"{rules['description_max_characters']}")
        elif len(description) < rules["description_good_characters"]:
            out.warnings.append(f"description has {len(description)} characters; "
                                f"{rules['description_good_characters']} or more recommended")
    if "search_terms" in fields:
        text = " ".join(_clean_list(content.get("search_terms")))
        limit = rules["search_terms_max_bytes"]
        if not text:
            out.errors.append("backend search terms are empty")
        elif len(text.encode("utf-8")) > limit:
            out.errors.append(f"backend search terms {len(text.encode('utf-8'))} bytes; limit {limit} "
                              "(over the limit none count)")
        else:
            title_words = set((normalize_for_matching(content.get("title")) or "").split(" "))
            repeated = sorted({w for w in (normalize_for_matching(text) or "").split(" ") if w in title_words})
            if repeated:
                out.warnings.append("backend search words repeat the title: " + ", ".join(repeated))
    return out
