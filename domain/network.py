"""Network-wide settings a store's data depends on (the plugin's own settings on WordPress)."""

from __future__ import annotations

from dataclasses import dataclass

from planswitch.domain.money import MoneyFormat

# The plugin's default for ``default_role`` (``wu_get_setting('default_role', 'administrator')``,
# inc/limitations/class-limit-customer-user-role.php:72).
DEFAULT_ROLE = "administrator"


@dataclass(frozen=True)
class NetworkSettings:
    """``default_role``: the role a ``customer_user_role`` limit of ``default`` (or empty)
    gives the customer (``Limit_Customer_User_Role::get_limit``, same file :70-75).
    ``company_name``: the name that opens a cart's descriptor (``Cart::get_cart_descriptor``,
    inc/checkout/class-cart.php:504-527), the network's name when the setting is missing.
    ``money_format``: how the network writes amounts (its currency settings); None for a
    store without such settings (the service's own format, ``Money.formatted``).
    ``currency``: the network's currency setting (``currency_symbol``, an ISO code despite
    its name; default USD, inc/class-settings.php:644-650), which the plugin's checkout writes
    on the payments it creates; empty for a store without one."""

    default_role: str = DEFAULT_ROLE
    company_name: str = ""
    money_format: MoneyFormat | None = None
    currency: str = ""
