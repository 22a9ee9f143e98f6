"""The reference frontend's files at /app and GraphiQL's, served by the API itself."""

from __future__ import annotations

import re


async def test_app_redirects_to_its_index_and_serves_modules(client) -> None:
    response = await client.get("/app")
    assert response.status_code == 307 and response.headers["location"] == "/app/"
    index = await client.get("/app/")
    assert index.status_code == 200 and 'src="js/app.js"' in index.text
    script = await client.get("/app/js/app.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    locale = await client.get("/app/locales/ms.json")
    assert locale.status_code == 200 and locale.json()["account"]["yourMembership"]


async def test_app_is_served_outside_demo_mode_too(client) -> None:
    # The settings of `client` are not demo: real networks use the frontend as well.
    assert (await client.get("/app/")).status_code == 200
    assert (await client.get("/app/../server/app.py")).status_code == 404


async def test_graphiql_loads_only_vendored_files(client_factory) -> None:
    async with client_factory(demo=True) as http:
        page = await http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/app/vendor/graphiql/") for s in sources), sources
    assert "unpkg.com" not in page.text and "cdn" not in page.text.lower()
    async with client_factory(demo=True) as http:
        for source in sources:
            assert (await http.get(source)).status_code == 200, source
