"""Schemathesis makes one test item per GraphQL operation, named for it
(``test_x[Query.products]``), but under pytest 9 every one of them gets the same node id
(``...::test_x``): pytest 9 builds a Function's id from ``originalname`` and a callspec
(_pytest/python.py, Function.__init__), and schemathesis passes its name as neither.
pytest-xdist, which runs the suite (pyproject.toml), tells items apart by node id: it kept
one operation of the twenty and dropped the rest. Each item's id gets its operation back,
as on pytest 8, so every operation is scheduled and reported on its own."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        label = getattr(item, "operation_label", None)
        node_id = getattr(item, "id", None)  # pytest 9's structured id (pytest 8 has none)
        if label and node_id is not None and node_id.params is None:
            item._id = node_id.with_params(label)
