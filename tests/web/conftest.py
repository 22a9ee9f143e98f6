"""Browser fixtures: the real server (``planswitch serve`` on a free port over a demo SQLite
database in a temporary folder) and Debian's headless Chromium driven by Selenium.

The browser is the system one (``apt-get install chromium chromium-driver``, as .ci/run
does): Selenium is given chromedriver's path so selenium-manager never downloads anything.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
OPERATOR_KEY = "operator-test-key"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _require_browser() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if not missing:
        return
    message = f"{', '.join(missing)} missing: apt-get install -y chromium chromium-driver"
    if os.environ.get("PLANSWITCH_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " (PLANSWITCH_REQUIRE_SERVICES=1: CI must run the browser tests)")
    pytest.skip(message)


class Server:
    """A running ``planswitch serve`` and an operator's GraphQL client for it."""

    def __init__(self, url: str) -> None:
        self.url = url

    def operator(self, query: str, variables: dict | None = None) -> dict:
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {OPERATOR_KEY}"},
            timeout=30,
        )
        response.raise_for_status()
        body = response.json()
        assert not body.get("errors"), body
        return body["data"]


def launch_server(tmp: Path) -> subprocess.Popen:
    """Start ``planswitch serve`` over a new demo database in ``tmp``; see ``wait_until_up``."""
    port = _free_port()
    env = {
        **os.environ,
        "PLANSWITCH_DATABASE_URL": f"sqlite:///{tmp / 'demo.db'}",
        "PLANSWITCH_DEMO": "true",
        "PLANSWITCH_API_KEYS": OPERATOR_KEY,
        "PLANSWITCH_APPLY_DUE_INTERVAL_SECONDS": "0",
    }
    cli = "from planswitch.server.cli import main; main()"
    with open(tmp / "server.log", "w") as log:  # the child keeps its own copy
        process = subprocess.Popen(
            [sys.executable, "-c", cli, "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    process.log = tmp / "server.log"  # type: ignore[attr-defined]
    return process


def wait_until_up(process: subprocess.Popen) -> subprocess.Popen:
    url, log = process.url, process.log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log.read_text())
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("planswitch serve did not start: " + log.read_text())


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class _Servers:
    """Each test still gets a server of its own over a freshly seeded demo database, but
    the next one is started while a test runs: starting one (imports, migrations, seeding)
    took about two seconds of every browser test's setup, spent waiting."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp_path_factory = tmp_path_factory
        self.spare: subprocess.Popen | None = None

    def _launch(self) -> subprocess.Popen:
        return launch_server(self.tmp_path_factory.mktemp("server"))

    def take(self) -> subprocess.Popen:
        process = self.spare if self.spare is not None else self._launch()
        self.spare = None
        wait_until_up(process)
        self.spare = self._launch()
        return process

    def close(self) -> None:
        if self.spare is not None:
            stop_server(self.spare)
            self.spare = None


@pytest.fixture(scope="session")
def _servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Servers]:
    servers = _Servers(tmp_path_factory)
    try:
        yield servers
    finally:
        servers.close()


@pytest.fixture
def server(_servers: _Servers) -> Iterator[Server]:
    """A fresh demo network per test: the flows change memberships."""
    _require_browser()
    process = _servers.take()
    try:
        yield Server(process.url)  # type: ignore[attr-defined]
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
        "--lang=en-US",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
