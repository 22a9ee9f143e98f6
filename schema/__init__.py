"""The GraphQL schema: Strawberry types built from domain objects, and ``build_schema()``.

(Not the PyPI package called ``schema``; planswitch never depends on that.)
"""
