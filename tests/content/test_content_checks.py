"""The content rules a template's result must pass agree with the dbt scoring macros (same limits, same
word normalisation), and templates fill only known listing fields."""

import jinja2
import pytest

from orchestration import settings
from orchestration.content.checks import check_content, normalize_for_matching, scoring_rules
from orchestration.content.templates import Template, TemplateError, render, save_template

GOOD_BULLET = "Drives 4 mm to 6 mm wood screws into softwood and hardwood alike, with a two-speed gearbox for control."


def test_the_limits_are_read_from_the_dbt_scoring_macro():
    rules = scoring_rules()
    assert (rules["title_max_characters"], rules["search_terms_max_bytes"], rules["bullets_recommended"]) == (200, 249, 5)
    assert set(rules["title_forbidden_characters"]) == set("!$?_{}^¬¦")


@pytest.mark.parametrize("text", ["Screws, 4x40mm!", "Don’t stop: Café_Bar Ü-Bolt", "  --  ", "It's 18V  (Li-ion)"])
def test_words_are_normalised_exactly_as_the_dbt_macro_does_in_postgres(db, text):
    macros = (settings.DBT_PROJECT_DIR / "macros" / "normalize_for_matching.sql").read_text()
    expression = jinja2.Environment().from_string(macros + "{{ normalize_for_matching('%(t)s::text') }}").render()
    assert db.execute(f"SELECT {expression.strip()}", {"t": text}).fetchone()[0] == normalize_for_matching(text)


def test_a_title_breaking_a_scoring_rule_is_an_error():
    assert check_content({"title": "x" * 201}, ("title",)).errors == ["title has 201 characters; limit 200"]
    assert "title contains !" in check_content({"title": "Best drill!"}, ("title",)).errors[0]
    repeated = check_content({"title": "Drill bits: drill set, DRILL case"}, ("title",))
    assert repeated.errors == ["'drill' appears 3 times in title; at most twice (articles and prepositions exempt)"]
    # articles, prepositions and bare numbers may repeat
    assert check_content({"title": "The bit for the drill for the wall, 18 18 18"}, ("title",)).ok


def test_bullets_description_and_search_terms_are_checked_as_the_score_measures_them():
    too_many = check_content({"bullet_points": [GOOD_BULLET] * 6}, ("bullet_points",))
    assert too_many.errors == ["6 bullet points; Amazon shows 5"]
    short = check_content({"bullet_points": [GOOD_BULLET, "Too short"]}, ("bullet_points",))
    assert short.errors == ["bullet 2 has 9 characters; 100-250 expected"]
    assert short.warnings == ["2 bullet points; 5 recommended"]
    # bytes, not characters: 125 pound signs are 250 bytes
    assert check_content({"search_terms": ["£" * 125]}, ("search_terms",)).errors == [
        "backend search terms 250 bytes; limit 249 (over the limit none count)"]
    assert check_content({"search_terms": ["a" * 124, "b" * 124]}, ("search_terms",)).ok  # 249 bytes with the space
    assert check_content({"description": "d" * 2001}, ("description",)).errors == [
        "description has 2001 characters; limit 2000"]


def test_a_template_fills_listing_fields_and_refuses_a_listing_without_them():
    template = Template("t1", "drill title", {"title": "{brand} {model_number} Cordless Drill - {category}",
                                               "search_terms": ["{model_number} driver", "{sku}"]}, True)
    row = {"sku": "DRL-1", "brand": "Hammerly", "model_number": "DX-18", "category_path": ["Tools", "Drills"]}
    assert render(template, row) == {"title": "Hammerly DX-18 Cordless Drill - Drills",
                                     "search_terms": ["DX-18 driver DRL-1"]}
    with pytest.raises(TemplateError, match=r"needs \{model_number\} \(search terms\), \{model_number\} \(title\)"):
        render(template, {**row, "model_number": None})


def test_a_template_naming_an_unknown_field_is_refused_when_saved(db):
    with pytest.raises(TemplateError, match=r"title names unknown field \{colour\}"):
        save_template(db, "bad", {"title": "{brand} in {colour}"})
    with pytest.raises(TemplateError, match="bullet_points must be a list"):
        save_template(db, "bad", {"bullet_points": "one"})
