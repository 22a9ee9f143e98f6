"""The committed SDL is the reviewed contract: the code's schema must match it exactly."""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType
from planswitch.schema.app import build_schema
from planswitch.server.cli import app
from typer.testing import CliRunner

SDL = Path(__file__).parents[2] / "schema" / "schema.graphql"
FIX = "run `planswitch export-schema > schema/schema.graphql` and review the diff"


def test_code_schema_equals_committed_sdl() -> None:
    assert str(build_schema()) + "\n" == SDL.read_text(), FIX


def test_export_schema_command_prints_the_committed_sdl() -> None:
    result = CliRunner().invoke(app, ["export-schema"])
    assert result.exit_code == 0, result.output
    assert result.stdout == SDL.read_text()


def test_every_planswitch_field_has_a_description() -> None:
    schema = build_schema()._schema
    missing = []
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or not isinstance(
            type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
        ):
            continue
        for field_name, field in type_.fields.items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
    assert missing == []


def test_sdl_uses_the_contract_names() -> None:
    sdl = SDL.read_text()
    for fragment in (
        "interface Node",
        "type Money",
        "type PageInfo",
        "type Product implements Node",
        "type Membership implements Node",
        "type Limits",
        "type UserError",
        "updateProduct(input: UpdateProductInput!): UpdateProductPayload!",
        "memberships(",
        "planGroups: [PlanGroup!]!",
    ):
        assert fragment in sdl, fragment
