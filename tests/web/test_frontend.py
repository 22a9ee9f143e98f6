"""The reference frontend end to end in headless Chromium against ``planswitch serve`` with
the demo network: the documentation's "Upgrading a plan" flow (Account, Change, Summary,
Pay/done), add-ons, a scheduled downgrade, the no-change message, a blocked option, another
language, the operator's Up & Downgrades tab, and an axe check of each screen.

Set ``PLANSWITCH_SCREENSHOTS=1`` to (re)write docs/screenshots/ while the tests walk.
"""

from __future__ import annotations

import os

from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select

from tests.web.conftest import Server
from tests.web.pages import (
    check_screen,
    click,
    heading,
    main_text,
    open_app,
    screen,
    sign_in,
    wait,
)

SHOTS = os.environ.get("PLANSWITCH_SCREENSHOTS") == "1"


def shot(name: str, lang: str) -> str | None:
    return f"{lang}-{name}" if SHOTS else None


def complete_pending_payment(server: Server, membership_id: int) -> None:
    """The operator records the manual payment, as the network's team would."""
    data = server.operator(
        "query($id: ID!) { membership(id: $id, idType: DATABASE_ID) {"
        " pendingChange { payment { id } } } }",
        {"id": str(membership_id)},
    )
    payment = data["membership"]["pendingChange"]["payment"]["id"]
    result = server.operator(
        "mutation($id: ID!) { completePayment(input: { paymentId: $id }) {"
        " userErrors { code message } } }",
        {"id": payment},
    )
    assert result["completePayment"]["userErrors"] == []


def walk_upgrade(browser, server: Server, lang: str, texts: dict[str, str]) -> None:
    """Samuel (Free) upgrades to Premium monthly and pays $49 with the manual provider."""
    open_app(browser, server, lang, "signin")
    screen(browser, "signin")
    check_screen(browser, shot("signin", lang))
    click(browser, "button[data-customer='5']")
    screen(browser, "account")
    # Signed in with a customer session (createCustomerSession), not as the demo's operator.
    token = browser.execute_script(
        "return JSON.parse(sessionStorage.getItem('planswitch.session')).token"
    )
    assert token and token.count(".") == 2  # a JWT
    assert heading(browser) == texts["account"]
    assert "Free" in main_text(browser)
    check_screen(browser, shot("account", lang))

    click(browser, "#change-5")
    screen(browser, "change")
    premium = browser.find_element(By.CSS_SELECTOR, "li[data-plan='2']")
    assert texts["upgrade"] in premium.text
    check_screen(browser, shot("change", lang))
    premium.find_element(By.TAG_NAME, "button").click()  # the monthly price, listed first

    screen(browser, "summary")
    assert heading(browser) == texts["summary"]
    due = browser.find_element(By.CSS_SELECTOR, "[data-due]").text
    assert texts["49"] in due
    assert texts["sites"] in main_text(browser)  # the limits that change
    check_screen(browser, shot("summary", lang))
    click(browser, "button.big")

    screen(browser, "done")
    state = browser.find_element(By.CSS_SELECTOR, "[data-state]").get_attribute("data-state")
    assert state == "awaiting-payment"  # $49 due, the manual provider: the team records it
    check_screen(browser, shot("done", lang))
    # Until the payment is recorded the account shows the change awaiting payment.
    click(browser, "a.button.primary")
    screen(browser, "account")
    assert browser.find_elements(By.CSS_SELECTOR, "[data-pending]")
    assert "Free" in browser.find_element(By.CSS_SELECTOR, ".plan-name").text
    check_screen(browser, shot("account-pending", lang))
    complete_pending_payment(server, 5)
    browser.refresh()
    screen(browser, "account")
    assert browser.find_element(By.CSS_SELECTOR, ".plan-name").text == "Premium"
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-pending]")
    limits = browser.find_element(By.CSS_SELECTOR, ".limits").text
    assert texts["sites"] in limits and "10" in limits
    check_screen(browser, shot("account-after", lang))


def test_upgrade_to_an_applied_change_in_english(browser, server):
    walk_upgrade(
        browser,
        server,
        "en",
        {
            "account": "Account",
            "upgrade": "Upgrade",
            "summary": "Summary",
            "49": "$49.00",
            "sites": "Sites",
        },
    )


def test_upgrade_end_to_end_in_italian(browser, server):
    walk_upgrade(
        browser,
        server,
        "it",
        {
            "account": "Account",
            "upgrade": "Upgrade",
            "summary": "Riepilogo",
            "49": "49,00",
            "sites": "Siti",
        },
    )
    # Italian throughout: the dates, the payment history, the status.
    text = main_text(browser)
    assert "Il tuo abbonamento" in text and "Attivo" in text and "Storico dei pagamenti" in text
    assert browser.execute_script("return document.documentElement.lang") == "it"


def test_an_addon_bought_alone(browser, server):
    """Olivia buys the one-time Site Migration service without changing her plan."""
    sign_in(browser, server, 1)
    click(browser, "#change-1")
    screen(browser, "change")
    card = browser.find_element(By.CSS_SELECTOR, "li[data-addon='8']")
    card.find_element(By.CSS_SELECTOR, "button.primary").click()
    screen(browser, "summary")
    assert "Add Site Migration to your membership" in main_text(browser)
    assert browser.find_element(By.CSS_SELECTOR, "[data-due]").text == "$99.00"
    click(browser, "button.big")
    screen(browser, "done")
    assert browser.find_element(By.CSS_SELECTOR, "[data-state='awaiting-payment']")
    complete_pending_payment(server, 1)
    browser.get(f"{server.url}/app/#/account")
    screen(browser, "account")
    assert browser.find_element(By.CSS_SELECTOR, ".plan-name").text == "Premium"
    assert "Site Migration × 1" in browser.find_element(By.CSS_SELECTOR, ".addons").text


def test_a_scheduled_downgrade_and_its_cancellation(browser, server):
    """Marco (Business, yearly) moves to Basic at renewal, then changes his mind."""
    sign_in(browser, server, 2)
    click(browser, "#change-2")
    screen(browser, "change")
    basic = browser.find_element(By.CSS_SELECTOR, "li[data-plan='3']")
    assert "Downgrade" in basic.text and "next renewal" in basic.text
    basic.find_element(By.CSS_SELECTOR, "button.primary").click()
    screen(browser, "summary")
    assert "Downgrade to Basic" in main_text(browser)
    assert browser.find_element(By.CSS_SELECTOR, "[data-due]").text == "$0.00"
    click(browser, "button.big")
    screen(browser, "done")
    assert browser.find_element(By.CSS_SELECTOR, "[data-state='scheduled']")
    click(browser, "a.button.primary")
    screen(browser, "account")
    scheduled = browser.find_element(By.CSS_SELECTOR, "[data-scheduled]")
    assert "switches to Basic" in scheduled.text
    assert browser.find_element(By.CSS_SELECTOR, ".plan-name").text == "Business"
    check_screen(browser, shot("account-scheduled", "en"))
    scheduled.find_element(By.TAG_NAME, "button").click()
    wait(browser).until(lambda d: "notice=" in d.current_url)
    screen(browser, "account")
    assert "The scheduled change was cancelled" in main_text(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-scheduled]")
    data = server.operator(
        '{ membership(id: "2", idType: DATABASE_ID) { scheduledChange { effectiveAt } } }'
    )
    assert data["membership"]["scheduledChange"] is None


def test_a_choice_that_changes_nothing_shows_the_message(browser, server):
    sign_in(browser, server, 5)
    click(browser, "#change-5")
    screen(browser, "change")
    browser.find_element(By.CSS_SELECTOR, "li.current button").click()
    screen(browser, "summary")
    text = main_text(browser)
    assert "This choice does not change your membership" in text
    assert not browser.find_elements(By.CSS_SELECTOR, "button.big")
    check_screen(browser, shot("no-change", "en"))


def test_a_blocked_option_says_why(browser, server):
    """Olivia has two sites and a custom domain: Free is blocked, with the reasons."""
    sign_in(browser, server, 1)
    click(browser, "#change-1")
    screen(browser, "change")
    free = browser.find_element(By.CSS_SELECTOR, "li[data-plan='1']")
    assert "blocked" in free.get_attribute("class")
    assert "Sites: you have 2, this plan allows 1." in free.text
    assert "custom domains" in free.text
    assert free.find_element(By.TAG_NAME, "button").get_attribute("disabled") is not None
    check_screen(browser, shot("change-blocked", "en"))


def test_the_language_selector_switches_every_text(browser, server):
    sign_in(browser, server, 2)
    for lang, title, membership in (
        ("fr", "Compte", "Votre abonnement"),
        ("nl", "Account", "Je lidmaatschap"),
        ("sv", "Konto", "Ditt medlemskap"),
        ("ms", "Akaun", "Keahlian Anda"),
    ):
        Select(browser.find_element(By.ID, "language")).select_by_value(lang)
        wait(browser).until(
            lambda d, lang=lang: d.execute_script("return document.documentElement.lang") == lang
        )
        screen(browser, "account")
        assert heading(browser) == title
        assert membership in main_text(browser)
    # The choice is remembered for the next visit.
    browser.get(f"{server.url}/app/#/account")
    wait(browser).until(lambda d: d.execute_script("return document.documentElement.lang") == "ms")


def test_the_operator_edits_plan_groups(browser, server):
    """Up & Downgrades: Solo joins the Standard family."""
    for lang in ("en", "it"):
        open_app(browser, server, lang, "operator")
        screen(browser, "operator")
        check_screen(browser, shot("operator", lang))
    open_app(browser, server, "en", "operator")
    screen(browser, "operator")
    form = browser.find_element(By.CSS_SELECTOR, "li[data-product='5'] form")
    group = form.find_element(By.NAME, "planGroup")
    group.clear()
    group.send_keys("Standard")
    form.find_element(By.CSS_SELECTOR, "button").click()
    wait(browser).until(lambda d: "saved=5" in d.current_url)
    screen(browser, "operator")
    assert "Solo saved." in main_text(browser)
    family = browser.find_element(By.CSS_SELECTOR, "li[data-group='Standard']")
    assert "Solo" in family.text
    # Solo now also offers Unlimited Visits (an order bump on the same tab).
    form = browser.find_element(By.CSS_SELECTOR, "li[data-product='5'] form")
    visits = form.find_element(By.XPATH, ".//label[normalize-space()='Unlimited Visits']")
    visits.click()
    form.find_element(By.CSS_SELECTOR, "button").click()
    # "Solo saved." is still shown from the first save: wait for the screen drawn after
    # this one (web/js/screens/operator.js re-renders once the mutation has answered).
    wait(browser).until(staleness_of(form))
    wait(browser).until(lambda d: "Solo saved." in main_text(d))
    data = server.operator(
        '{ product(id: "5", idType: DATABASE_ID) { planGroup { name } availableAddons { slug } } }'
    )
    assert data["product"]["planGroup"]["name"] == "Standard"
    assert "unlimited-visits" in {a["slug"] for a in data["product"]["availableAddons"]}
    # A name over 20 characters is refused with the translated message.
    form = browser.find_element(By.CSS_SELECTOR, "li[data-product='5'] form")
    group = form.find_element(By.NAME, "planGroup")
    group.clear()
    group.send_keys("x" * 21)  # maxlength stops typing at 20: force the value
    browser.execute_script(
        "arguments[0].removeAttribute('maxlength'); arguments[0].value = arguments[1]",
        group,
        "x" * 21,
    )
    form.find_element(By.CSS_SELECTOR, "button").click()
    wait(browser).until(lambda d: "at most 20 characters" in main_text(d))


def test_graphiql_loads_without_internet(browser, server):
    """/graphql's IDE loads its scripts from /app/vendor/, never from a CDN."""
    browser.get(f"{server.url}/graphql")
    wait(browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".graphiql-container .graphiql-editors")
    )
    hosts = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).host)"
    )
    assert hosts and set(hosts) == {server.url.removeprefix("http://")}


def test_the_flow_works_from_the_keyboard(browser, server):
    """Tab reaches the Change button, Enter follows it, and focus lands on the new heading."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    sign_in(browser, server, 5)
    assert browser.switch_to.active_element.get_attribute("id") == "page-title"
    for _ in range(30):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.switch_to.active_element.get_attribute("id") == "change-5":
            break
    else:
        raise AssertionError("Tab never reached the Change button")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    screen(browser, "change")
    assert browser.switch_to.active_element.get_attribute("id") == "page-title"
    assert browser.switch_to.active_element.text == "Change your membership"


def test_money_and_dates_follow_the_locale_and_the_currency(browser, server):
    """The app's formatter (web/js/i18n.js) in the browser: each currency with its own minor
    units, amounts formatted from their decimal strings, billing days in UTC."""
    open_app(browser, server, "en", "signin")
    screen(browser, "signin")
    script = (
        "const done = arguments[arguments.length - 1];"
        "import('./js/i18n.js').then(async (m) => { const out = {};"
        " for (const lang of ['en', 'fr', 'ms']) { await m.setLanguage(lang);"
        "  out[lang] = [m.money({amount: '1500', currency: 'JPY'}),"
        "   m.money({amount: '1.250', currency: 'KWD'}),"
        "   m.money({amount: '12345678901234567.89', currency: 'EUR'}),"
        "   m.date('2026-12-19T23:59:59+00:00')]; }"
        " done(out); })"
    )
    spaces = str.maketrans({"\u00a0": " ", "\u202f": " "})  # Intl's no-break spaces
    out = {
        k: [v.translate(spaces) for v in values]
        for k, values in browser.execute_async_script(script).items()
    }
    assert out["en"] == ["¥1,500", "KWD 1.250", "€12,345,678,901,234,567.89", "December 19, 2026"]
    assert out["fr"][0] == "1 500 JPY"
    assert out["fr"][3] == "19 décembre 2026"
    assert out["ms"][3] == "19 Disember 2026"


def test_a_discount_code_is_applied_and_a_wrong_one_explained(browser, server):
    sign_in(browser, server, 5)
    browser.get(f"{server.url}/app/#/summary/5?plan=2&period=1-MONTH")
    screen(browser, "summary")
    code = browser.find_element(By.NAME, "code")
    code.send_keys("NOPE")
    code.submit()
    wait(browser).until(lambda d: "code=NOPE" in d.current_url)
    screen(browser, "summary")
    assert "This discount code is not valid." in main_text(browser)
    code = browser.find_element(By.NAME, "code")
    code.clear()
    code.send_keys("WELCOME10")
    code.submit()
    wait(browser).until(lambda d: "code=WELCOME10" in d.current_url)
    screen(browser, "summary")
    assert browser.find_element(By.CSS_SELECTOR, "[data-due]").text == "$44.10"
    assert "−$4.90" in main_text(browser)
    check_screen(browser)


def test_an_ended_session_asks_to_sign_in_again(browser, server):
    sign_in(browser, server, 5)
    server.operator(
        'mutation { revokeCustomerSessions(input: { customerId: "5" }) { userErrors { code } } }'
    )
    browser.refresh()
    screen(browser, "account")
    assert "Your session has ended. Please sign in again." in main_text(browser)
    click(browser, "main a.button.primary")
    screen(browser, "signin")


def test_a_change_awaiting_payment_is_cancelled_from_the_account(browser, server):
    """Olivia adds a third Extra Disk Space, then drops it before paying: nothing moves."""
    sign_in(browser, server, 1)
    click(browser, "#change-1")
    screen(browser, "change")
    browser.find_element(By.CSS_SELECTOR, "li[data-addon='7'] button.primary").click()
    screen(browser, "summary")
    assert browser.find_element(By.CSS_SELECTOR, "[data-due]").text != "$0.00"
    click(browser, "button.big")
    screen(browser, "done")
    assert browser.find_element(By.CSS_SELECTOR, "[data-state='awaiting-payment']")
    click(browser, "a.button.primary")
    screen(browser, "account")
    pending = browser.find_element(By.CSS_SELECTOR, "[data-pending]")
    assert "awaiting payment" in pending.text.lower()
    pending.find_element(By.TAG_NAME, "button").click()
    wait(browser).until(lambda d: "notice=cancelPendingChange" in d.current_url)
    screen(browser, "account")
    assert "The change awaiting payment was cancelled" in main_text(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-pending]")
    assert "Extra Disk Space × 2" in browser.find_element(By.CSS_SELECTOR, ".addons").text
    history = browser.find_element(By.CSS_SELECTOR, "table").text
    assert "Cancelled" in history
