"""Who sees what: operators everything, a customer only their own, anonymous the catalog."""

from __future__ import annotations

from tests.api.conftest import OPERATOR, customer_headers, data, gql

MINE = """{ viewer { databaseId email memberships { nodes { databaseId } } }
  memberships { totalCount nodes { databaseId } }
  customers { totalCount nodes { databaseId } }
  own: membership(id: "1", idType: DATABASE_ID) { databaseId }
  other: membership(id: "2", idType: DATABASE_ID) { databaseId }
  otherCustomer: customer(id: "2", idType: DATABASE_ID) { email }
  products { totalCount } }"""


async def test_customer_token_sees_only_their_own_records(client) -> None:
    result = data(await gql(client, MINE, headers=customer_headers(1)))
    assert result["viewer"] == {
        "databaseId": 1,
        "email": "olivia@example.com",
        "memberships": {"nodes": [{"databaseId": 1}]},
    }
    assert result["memberships"] == {"totalCount": 1, "nodes": [{"databaseId": 1}]}
    assert result["customers"] == {"totalCount": 1, "nodes": [{"databaseId": 1}]}
    assert result["own"] == {"databaseId": 1}
    assert result["other"] is None
    assert result["otherCustomer"] is None
    assert result["products"] == {"totalCount": 8}


async def test_customer_filtering_on_someone_else_gets_nothing(client) -> None:
    query = '{ memberships(where: {customerId: "2"}) { totalCount } }'
    result = data(await gql(client, query, headers=customer_headers(1)))
    assert result["memberships"] == {"totalCount": 0}


async def test_operator_sees_everything_and_has_no_viewer(client) -> None:
    result = data(await gql(client, MINE, headers=OPERATOR))
    assert result["viewer"] is None
    assert result["memberships"]["totalCount"] == 6
    assert result["customers"]["totalCount"] == 6
    assert result["other"] == {"databaseId": 2}
    assert result["otherCustomer"] == {"email": "marco@example.com"}


async def test_anonymous_sees_the_catalog_only(client) -> None:
    result = data(await gql(client, MINE))
    assert result["viewer"] is None
    assert result["memberships"] == {"totalCount": 0, "nodes": []}
    assert result["customers"] == {"totalCount": 0, "nodes": []}
    assert result["own"] is None and result["other"] is None
    assert result["products"] == {"totalCount": 8}


async def test_demo_mode_lets_anonymous_act_as_operator(client_factory) -> None:
    async with client_factory(demo=True) as http:
        result = data(await gql(http, MINE))
    assert result["memberships"]["totalCount"] == 6
    assert result["other"] == {"databaseId": 2}


async def test_a_forged_or_unknown_token_is_refused(client) -> None:
    for header in ("Bearer c.1.forged", "Bearer wrong-key", "Basic abc", "Bearer"):
        response = await client.post(
            "/graphql", json={"query": "{ products { totalCount } }"},
            headers={"Authorization": header},
        )  # fmt: skip
        assert response.status_code == 401
        assert "Traceback" not in response.text
        assert response.json()["errors"][0]["message"]


async def test_token_signed_with_another_secret_is_refused(client) -> None:
    from planswitch.server.auth import issue_customer_token

    token = issue_customer_token(1, "some-other-secret")
    response = await client.post(
        "/graphql", json={"query": "{ viewer { email } }"},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 401


async def test_graphiql_only_in_demo_or_debug_mode(client, client_factory) -> None:
    ide = {"Accept": "text/html"}
    assert (await client.get("/graphql", headers=ide)).status_code == 404
    async with client_factory(demo=True) as http:
        page = await http.get("/graphql", headers=ide)
        assert page.status_code == 200 and "graphiql" in page.text.lower()
    async with client_factory(debug=True) as http:
        assert (await http.get("/graphql", headers=ide)).status_code == 200
