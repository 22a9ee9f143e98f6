"""What a person does on the reference frontend, as Selenium steps, and the axe check."""

from __future__ import annotations

import json
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.web.conftest import ROOT, SCREENSHOTS, Server

AXE = (ROOT / "web" / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def wait(driver: WebDriver, seconds: float = 30) -> WebDriverWait:
    return WebDriverWait(driver, seconds)


def screen(driver: WebDriver, name: str) -> None:
    """Wait until the app has rendered screen ``name`` (main[data-screen], not busy)."""
    wait(driver).until(
        lambda d: d.execute_script(
            "const m = document.getElementById('main');"
            "return m.dataset.screen === arguments[0] && !m.hasAttribute('aria-busy')",
            name,
        )
    )


def open_app(driver: WebDriver, server: Server, lang: str = "en", route: str = "") -> None:
    driver.get(f"{server.url}/app/?lang={lang}#/{route}")
    wait(driver).until(lambda d: d.execute_script("return document.documentElement.lang") == lang)


def sign_in(driver: WebDriver, server: Server, customer_id: int, lang: str = "en") -> None:
    open_app(driver, server, lang, "signin")
    screen(driver, "signin")
    click(driver, f"button[data-customer='{customer_id}']")
    screen(driver, "account")


def click(driver: WebDriver, css: str) -> None:
    element = wait(driver).until(ec.element_to_be_clickable((By.CSS_SELECTOR, css)))
    element.click()


def click_text(driver: WebDriver, text: str, tag: str = "button") -> None:
    xpath = f"//{tag}[contains(normalize-space(.), {json.dumps(text)})]"
    element = wait(driver).until(ec.element_to_be_clickable((By.XPATH, xpath)))
    element.click()


def main_text(driver: WebDriver) -> str:
    return driver.find_element(By.ID, "main").text


def heading(driver: WebDriver) -> str:
    return driver.find_element(By.ID, "page-title").text


def axe_violations(driver: WebDriver) -> list[dict]:
    """Run axe-core (vendored) on the page; return serious and critical violations."""
    if not driver.execute_script("return Boolean(window.axe)"):
        driver.execute_script(AXE)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, { resultTypes: ['violations'] })"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def check_screen(driver: WebDriver, shot: str | None = None) -> None:
    """The axe check of the current screen, and its screenshot (desktop and phone width)."""
    violations = axe_violations(driver)
    assert violations == [], json.dumps(violations, indent=1)
    if shot:
        save_screenshots(driver, shot)


def save_screenshots(driver: WebDriver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _full_page(driver, SCREENSHOTS / f"{name}.png", 1280)
    _full_page(driver, SCREENSHOTS / f"{name}-phone.png", 390)
    driver.set_window_size(1280, 900)


def _full_page(driver: WebDriver, path: Path, width: int) -> None:
    driver.set_window_size(width, 900)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height, 700), 4000))
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    driver.save_screenshot(str(path))
