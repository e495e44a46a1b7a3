"""The lifespan warm-up: before the first visitor, refuse to start on an unsafe secret,
import what the first script run needs, open the store (which runs its migrations),
move the audit key out of the database, delete session rows no browser can use any
more, give requests queued before migration 0012 their response target, and freeze
what start-up made out of garbage collection."""

from __future__ import annotations

import ast
import gc
import importlib
import importlib.util
import os
import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import streamlit as st
from anyio import to_thread

from core import audit_key, devices, health, sso, staff_sessions, targets
from core.settings import ROOT, load_settings
from core.settings_check import notification_problems
from core.store import is_postgres_url, open_store
from ui import pages
from ui.pages import PageSpec
from web.sender import start_sender

# The exit status when PostgreSQL cannot be reached at start.
DATABASE_UNREACHABLE_EXIT = 3
# The exit status when `[auth] cookie_secret` is too short or a sample from the docs.
UNSAFE_SECRET_EXIT = 4
# Where the app's own modules live: the imports of the pages that lead here are warmed.
OWN_PACKAGES = ("core", "ui")
# What Streamlit itself imports on the first run: the favicon goes through PIL, icon
# names are checked against a table, and `magic` runs on every script. These are
# Streamlit's, not pages', so no page change touches this list.
STREAMLIT_FIRST_RUN = (
    "PIL.Image",
    "PIL.PngImagePlugin",
    "streamlit.material_icon_names",
    "streamlit.runtime.scriptrunner.magic_funcs",
    "streamlit.components.v2.manifest_scanner",
)


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _imports_of(source: Path) -> set[str]:
    """The app modules a page file imports (a `from ui import x` names `ui.x`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [
                f"{node.module}.{alias.name}"
                if _module_exists(f"{node.module}.{alias.name}")
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] in OWN_PACKAGES)
    return found


def modules_to_warm(specs: Iterable[PageSpec] = pages.ALL) -> list[str]:
    """Every app module the pages import, read from the page registry's files, so a new
    page is warmed without anyone keeping a list; then the frame every run draws."""
    wanted = {"ui.frame"}
    for spec in specs:
        wanted |= _imports_of(ROOT / spec.path)
    return sorted(wanted)


def _auth_section() -> dict[str, Any] | None:
    try:
        return dict(st.secrets["auth"]) if "auth" in st.secrets else None
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None


def refuse_unsafe_secret(auth_section: dict[str, Any] | None) -> None:
    """Stop the process when single sign-on is set up with a guessable cookie secret."""
    problem = sso.cookie_secret_problem(auth_section)
    if problem is not None:
        print(f"Bounce Back will not start: {problem}", file=sys.stderr, flush=True)
        os._exit(UNSAFE_SECRET_EXIT)


def warm_up() -> None:
    refuse_unsafe_secret(_auth_section())
    for module in (*modules_to_warm(), *STREAMLIT_FIRST_RUN):
        importlib.import_module(module)
    from PIL import Image

    Image.preinit()  # the common image plugins, which opening the favicon loads
    settings = load_settings()
    for problem in notification_problems(settings):
        # Loud, but no reason to keep candidates out: their pages don't depend on mail.
        print(f"Notification setting needs attention: {problem}", file=sys.stderr, flush=True)
    # The database is checked before the first visitor (quick_check, migrations, a test
    # write); a failure is logged loudly and every page shows the short-break notice.
    result = health.status(settings.db_path)
    if result.ok:
        store = open_store(settings.db_path)
        _, said = audit_key.ensure(settings, store)
        if said:
            print(said, file=sys.stderr, flush=True)  # once, where the operator looks
        devices.forget_stale(store)
        staff_sessions.forget_stale(store, settings)
        # Requests queued before migration 0012 get their stored response target, so the
        # queue can put the overdue ones first (a no-op once done).
        targets.backfill_respond_by(store, settings)
    elif is_postgres_url(settings.db_path):
        # A server that is down or a URL that is wrong at start is a deployment mistake,
        # not a passing fault: stop, so the supervisor (or the person) sees it at once.
        print(f"Bounce Back cannot start: {result.detail}", file=sys.stderr, flush=True)
        os._exit(DATABASE_UNREACHABLE_EXIT)
    # Last, so the store and its connection pool are frozen too.
    _freeze_startup_objects()


def _freeze_startup_objects() -> None:
    """Keep what start-up made out of every later garbage collection.

    A full collection walks every object the process holds: the modules of pandas,
    altair, psycopg and our own, which never become garbage. Streamlit used to run one
    after every script run (`runner.postScriptGC`, now off in the config), and Python's
    own collector still runs full ones as the heap grows. Frozen (`gc.freeze`) once
    everything is imported, those objects sit in the permanent generation; each
    collection then walks only what sessions made since, and still frees their cycles.
    Measured with `make bench-load`: see docs/scaling.md.
    """
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    await to_thread.run_sync(warm_up)
    sender = start_sender()
    try:
        yield
    finally:
        if sender is not None:
            sender.stop()
