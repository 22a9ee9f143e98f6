"""The service's own database (SQLModel tables on SQLite, PostgreSQL or MySQL/MariaDB).

Public entry points:

- ``NativeStore(url)`` (``adapters.native.store``): implements ``domain.ports.Store``,
  plus keyed upserts for seeding and sync (``store.bulk()``).
- ``upgrade_database(url)`` (``adapters.native.migrate``): applies the Alembic migrations.
- ``seed_demo(store, now)`` (``adapters.native.demo``): fills an empty database with a demo.
"""

from planswitch.adapters.native.demo import seed_demo
from planswitch.adapters.native.migrate import upgrade_database
from planswitch.adapters.native.store import NativeStore
from planswitch.adapters.native.writes import SiteDomain, UpsertResult

__all__ = ["NativeStore", "SiteDomain", "UpsertResult", "seed_demo", "upgrade_database"]
