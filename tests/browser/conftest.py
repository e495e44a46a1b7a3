"""Browser fixtures: a real `streamlit run` server per module and Debian's Chromium.

Every module here sets `pytestmark = pytest.mark.browser`. Tests use

- `live_server` (module): `.url` (no trailing slash), `.db_path`, `.store()`, `.log()`;
  `fresh_server` is the same for one test alone; `server_runner` is the context
  manager behind both, taking extra environment variables (settings);
- `browser` (session): Playwright Chromium from /usr/bin/chromium;
- `page` (per test): fresh context with the run tracker installed; `page.dialogs`,
  `page.console_errors` and `page.external_requests` (blocked) collect what happened;
  a failing test leaves a full-page screenshot in tests/artifacts/<test>.png.

Helpers that drive the app (waiting for reruns, filling widgets, logging in) are plain
functions in `drive.py` beside this file: test modules `import drive`.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from drive import CHROMIUM, CHROMIUM_ARGS, new_app_context, watch_page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
SERVER_START_TIMEOUT_S = 60


def _chromium_missing_reason() -> str | None:
    if Path(CHROMIUM).exists():
        return None
    return f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"


@pytest.fixture(scope="session", autouse=True)
def _require_chromium() -> None:
    reason = _chromium_missing_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    db_path: Path
    log_path: Path
    process: subprocess.Popen

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def store(self):
        """The app's database, through the same store code the server uses."""
        from core.store import open_store

        return open_store(self.db_path)


def _health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    # The server was started in its own session, so this reaches its children too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextlib.contextmanager
def run_server(tmp_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    port = free_port()
    db_path = tmp_dir / "bounce_back.db"
    log_path = tmp_dir / "server.log"
    env = {**os.environ, "BOUNCE_BACK_DB_PATH": str(db_path), **(extra_env or {})}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        # Nothing changes on disk during a test; watching files only costs CPU.
        "--server.fileWatcherType",
        "none",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = LiveServer(f"http://127.0.0.1:{port}", db_path, log_path, process)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _health_ok(server.url):
            if process.poll() is not None:
                pytest.fail(
                    f"streamlit exited with code {process.returncode} before answering "
                    f"/_stcore/health. Its output:\n{server.log()}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit did not answer /_stcore/health within "
                    f"{SERVER_START_TIMEOUT_S}s. Its output:\n{server.log()}",
                    pytrace=False,
                )
            time.sleep(0.1)
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    with run_server(tmp_path_factory.mktemp("live_server")) as server:
        yield server


@pytest.fixture(scope="session")
def server_runner():
    """`run_server(tmp_dir, extra_env)`, for modules that need a server with settings."""
    return run_server


@pytest.fixture
def fresh_server(tmp_path) -> Iterator[LiveServer]:
    """A server of this test's own, so the test is its very first visitor."""
    with run_server(tmp_path) as server:
        yield server


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _artifact_name(nodeid: str) -> str:
    name = nodeid.split("::", 1)[-1]
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:150]


@pytest.fixture
def page(browser, request):
    context = new_app_context(browser, accept_downloads=True)
    page = context.new_page()
    watch_page(page)
    yield page
    failed = any(
        getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):
            page.screenshot(
                path=str(ARTIFACTS / f"{_artifact_name(request.node.name)}.png"), full_page=True
            )
    context.close()
