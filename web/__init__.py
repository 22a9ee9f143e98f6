"""The reference frontend: static files served at ``/app`` (issue 13).

Plain HTML, CSS and JavaScript modules with no build step; ``vendor/`` holds the npm files
(GraphiQL, axe-core) copied by ``scripts/vendor-web`` so nothing loads from the internet.
"""

from __future__ import annotations

from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
"""Where the static files live (in the checkout or the installed package)."""
GRAPHIQL_HTML = WEB_DIR / "graphiql.html"
"""GraphiQL's page, loading its scripts from ``/app/vendor/graphiql/``."""
