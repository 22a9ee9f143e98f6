"""WordPress users as planswitch accounts: who may sign in, and with which password hashes.

Users and their meta are the network's global tables (``wp_users``, ``wp_usermeta``, base
prefix); a user is a planswitch customer through ``wu_customers.user_id``. Users marked
spam or deleted (multisite columns) cannot sign in, as ``wp_authenticate_spam_check()``
refuses them (wp-includes/user.php).

Session revocations are kept in the customer's user meta (``planswitch_session_generation``)
so they survive restarts and are shared by every planswitch process on the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from planswitch.adapters.wordpress import passwords, phpserial
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.domain.errors import DomainError, ErrorCode
from sqlalchemy import insert, select, update

APPLICATION_PASSWORDS = "_application_passwords"  # WP_Application_Passwords::USERMETA_KEY
GENERATION = "planswitch_session_generation"


@dataclass(frozen=True)
class Account:
    user_id: int
    customer_id: int | None
    password_hash: str
    application_password_hashes: tuple[str, ...]
    disabled: bool


class WordPressAccounts:
    """Looks up a network user by login or e-mail, as ``wp_authenticate()`` does."""

    def __init__(self, store: WordPressStore) -> None:
        self.store = store
        self.tables = store.tables

    def authenticate(
        self, login: str, password: str, *, application_passwords_only: bool = False
    ) -> int | None:
        """The customer id of the user ``login`` when ``password`` is theirs, else None.

        A user who is not a customer, or is marked spam or deleted, is refused like a wrong
        password. With ``application_passwords_only`` (HTTP Basic, as WordPress' REST API
        takes it) the account password is not accepted.
        """
        account = self.find(login)
        if account is None or account.disabled or account.customer_id is None:
            return None
        if any(
            passwords.check_application_password(password, stored)
            for stored in account.application_password_hashes
        ):
            return account.customer_id
        if application_passwords_only:
            return None
        if passwords.check_user_password(password, account.password_hash):
            return account.customer_id
        return None

    def find(self, login: str) -> Account | None:
        users = self.tables.users
        columns = (users.c.ID, users.c.user_pass, users.c.spam, users.c.deleted)
        with self.store.engine.connect() as conn:
            row = conn.execute(select(*columns).where(users.c.user_login == login)).first()
            if row is None and "@" in login:
                row = conn.execute(select(*columns).where(users.c.user_email == login)).first()
            if row is None:
                return None
            user_id = int(row.ID)
            customers = self.tables.customers
            customer_id = conn.execute(
                select(customers.c.id).where(customers.c.user_id == user_id)
            ).scalar()
            meta = self.tables.usermeta
            raw = conn.execute(
                select(meta.c.meta_value).where(
                    meta.c.user_id == user_id, meta.c.meta_key == APPLICATION_PASSWORDS
                )
            ).scalar()
        return Account(
            user_id=user_id,
            customer_id=int(customer_id) if customer_id is not None else None,
            password_hash=str(row.user_pass or ""),
            application_password_hashes=_application_hashes(raw),
            disabled=bool(row.spam) or bool(row.deleted),
        )


def _application_hashes(raw: Any) -> tuple[str, ...]:
    """The hashes in the serialized ``_application_passwords`` list (bad data: none)."""
    if not raw:
        return ()
    try:
        items = phpserial.maybe_loads(raw)
    except phpserial.PhpSerialError:
        return ()
    values = items.values() if isinstance(items, dict) else []
    return tuple(
        str(item["password"])
        for item in values
        if isinstance(item, dict) and isinstance(item.get("password"), str)
    )


class WordPressSessionLedger:
    """Session generations in the customer's user meta."""

    def __init__(self, store: WordPressStore) -> None:
        self.store = store
        self.tables = store.tables

    def _user_id(self, conn: Any, customer_id: int) -> int | None:
        c = self.tables.customers
        value = conn.execute(select(c.c.user_id).where(c.c.id == customer_id)).scalar()
        return int(value) if value is not None else None

    def generation(self, customer_id: int) -> int:
        meta = self.tables.usermeta
        with self.store.engine.connect() as conn:
            user_id = self._user_id(conn, customer_id)
            if user_id is None:
                return 0
            value = conn.execute(
                select(meta.c.meta_value).where(
                    meta.c.user_id == user_id, meta.c.meta_key == GENERATION
                )
            ).scalar()
        return int(value) if value and str(value).isdigit() else 0

    def revoke(self, customer_id: int, now: datetime, actor: str) -> int:
        if not self.store.writes:
            raise DomainError(
                ErrorCode.WRITES_DISABLED,
                "Revoking sessions writes the user's meta; set PLANSWITCH_WORDPRESS_WRITES=true.",
            )
        meta = self.tables.usermeta
        with self.store.engine.begin() as conn:
            user_id = self._user_id(conn, customer_id)
            if user_id is None:
                return 0
            where = (meta.c.user_id == user_id, meta.c.meta_key == GENERATION)
            current = conn.execute(
                select(meta.c.umeta_id, meta.c.meta_value).where(*where).with_for_update()
            ).first()
            if current is None:
                conn.execute(
                    insert(meta).values(user_id=user_id, meta_key=GENERATION, meta_value="1")
                )
                return 1
            value = int(current.meta_value) + 1 if str(current.meta_value).isdigit() else 1
            conn.execute(
                update(meta)
                .where(meta.c.umeta_id == current.umeta_id)
                .values(meta_value=str(value))
            )
            return value
