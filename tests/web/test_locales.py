"""Every language of the reference frontend says everything English says, with the same
placeholders, and every code the API can return has a translated sentence."""

from __future__ import annotations

import json
import re

import pytest

from tests.web.conftest import ROOT

LOCALES = ROOT / "web" / "locales"
LANGUAGES = ("en", "it", "sv", "nl", "fr", "ms")
SCHEMA = (ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8")


def _flat(tree: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _load(lang: str) -> dict[str, str]:
    return _flat(json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8")))


def _enum(name: str) -> list[str]:
    body = re.search(rf"enum {name} \{{(.*?)\}}", SCHEMA, re.S)
    assert body, name
    return re.findall(r"^\s+([A-Z_]+)\s*$", body.group(1), re.M)


def test_the_six_languages_are_shipped_and_no_other():
    assert sorted(p.stem for p in LOCALES.glob("*.json")) == sorted(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_each_language_has_every_text_with_the_same_placeholders(lang):
    english, other = _load("en"), _load(lang)
    assert sorted(other) == sorted(english)
    for key, text in english.items():
        assert sorted(re.findall(r"\{\w+\}", other[key])) == sorted(re.findall(r"\{\w+\}", text)), (
            key
        )
        assert other[key].strip(), key


@pytest.mark.parametrize(
    ("enum", "prefix"),
    [
        ("UserErrorCode", "error"),
        ("MembershipStatus", "status"),
        ("PaymentStatus", "paymentStatus"),
        ("Direction", "direction"),
        ("ProductType", "productType"),
        ("DurationUnit", "period"),
    ],
)
def test_every_code_the_api_returns_has_a_text(enum, prefix):
    english = _load("en")
    missing = [code for code in _enum(enum) if f"{prefix}.{code}" not in english]
    assert missing == []
