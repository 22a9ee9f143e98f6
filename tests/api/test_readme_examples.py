"""The README's GraphQL examples, run as written against the demo over ASGI, so the README
cannot drift from the API (SQLModel's docs-as-tests habit)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import data, gql

README = Path(__file__).resolve().parents[2] / "README.md"
PLACEHOLDER = "…"
# The checkout walk-through passes values from an earlier step ("<quoteToken from step 1>").
EARLIER_VALUE = re.compile(r'"<[^"<>]+>"')
EXAMPLES = re.findall(r"^```graphql\n(.*?)^```", README.read_text(), flags=re.S | re.M)


def user_errors(value: Any) -> list[Any]:
    """Every non-empty ``userErrors`` list anywhere in a response."""
    if isinstance(value, dict):
        found = [value["userErrors"]] if value.get("userErrors") else []
        return found + [e for item in value.values() for e in user_errors(item)]
    if isinstance(value, list):
        return [e for item in value for e in user_errors(item)]
    return []


def test_the_readme_has_graphql_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda text: text.split("\n")[0][:40])
async def test_a_readme_example_runs_on_the_demo(client_factory, example: str) -> None:
    # Demo mode, no credentials: "everything below works as is in GraphiQL".
    async with client_factory(demo=True) as http:
        result = data(await gql(http, example))
    assert result and all(value is not None for value in result.values()), result
    # "…" marks a value the reader supplies (a password), "<...>" one from an earlier step:
    # such an example must still run, and may answer with userErrors; every other example
    # must succeed outright.
    if PLACEHOLDER not in example and not EARLIER_VALUE.search(example):
        assert user_errors(result) == []
