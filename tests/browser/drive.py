"""Plain helpers for the browser tests: `import drive`, then `drive.fill_text(page, ...)`.

It holds what tests call directly, on a Playwright Page or Frame:

- launching: `CHROMIUM`, `CHROMIUM_ARGS`, `new_app_context(browser)` (a context with the
  run tracker in every frame), `watch_page(page)` (dialogs, console errors, blocked
  requests leaving the machine);
- waiting: `wait_for_app(target)` returns once the script run has finished and the app
  has stayed quiet for a moment; `expect_rerun(target)` is a context manager around an
  action that must trigger a rerun, returning once that rerun has finished (no race
  with the previous idle state); `open_app(page, url)`; `wait_for_cookie(context, name)`;
- drivers for Streamlit widgets found by their label (text, selectbox, date, segmented
  control, checkbox, list cards, navigation, the staff login form) and keyboard helpers;
- the scripts (`RUN_TRACKER`, `IDLE_CHECK`, `SNAPSHOT`) for tests that drive
  Playwright's async API themselves.

Why not just the run state: Streamlit marks the app root `data-test-script-state` as
`running`/`notRunning`, but a widget change only flips it once the server answers, and
a fast rerun can start and finish within one render. So an init script also counts the
app's WebSocket traffic: after an action, we wait until the server has answered a
message sent since, the app is idle, and no message has arrived for a short while.
Values restored into widgets are drawn a moment after that: assert them with
Playwright's retrying `expect`.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
APP_TIMEOUT_MS = 30_000
# Playwright's `expect` would otherwise give up after 5 s, far sooner than the actions
# around it; on a busy CI machine a rerun can take longer than that to be drawn.
expect.set_options(timeout=APP_TIMEOUT_MS)

# Runs in every frame before the page's own scripts: counts script runs and remembers
# when the app last became idle, read by wait_for_app / expect_rerun.
RUN_TRACKER = """
(() => {
  if (window.__bb) return;
  const bb = window.__bb = {
    started: 0, idleSince: null, state: null, sendTimes: [], lastReceived: 0,
  };
  // Messages to and from the server: a fast rerun can start and finish within one
  // render, so the run-state attribute alone can miss it; the traffic cannot.
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => { bb.lastReceived = performance.now(); });
    }
    send(data) {
      if (bb.sendTimes.length < 100000) bb.sendTimes.push(performance.now());
      return super.send(data);
    }
  };
  const seen = (el) => {
    const state = el.getAttribute('data-test-script-state');
    if (state === bb.state) return;
    const busy = (s) => s === 'running' || s === 'rerunRequested';
    if (busy(state) && !busy(bb.state)) { bb.started += 1; bb.idleSince = null; }
    if (state === 'notRunning') { bb.idleSince = performance.now(); }
    bb.state = state;
  };
  const watch = () => {
    new MutationObserver(() => {
      const app = document.querySelector('[data-testid="stApp"]');
      if (app) seen(app);
    }).observe(document, {subtree: true, childList: true, attributes: true,
                          attributeFilter: ['data-test-script-state']});
  };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', watch);
  } else { watch(); }
})();
"""

SNAPSHOT = "() => (window.__bb ? {started: __bb.started, sent: __bb.sendTimes.length} : null)"

# True once the app is connected and idle, has been quiet for settleMs, and (given a
# snapshot taken before an action) has run again or answered a message sent since.
IDLE_CHECK = """
([settleMs, since]) => {
  const bb = window.__bb;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!bb || !app) return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (bb.idleSince === null) return false;
  if (since) {
    const ranAgain = bb.started > since.started;
    const firstSend = bb.sendTimes[since.sent];
    const answered = firstSend !== undefined && bb.lastReceived > firstSend;
    if (!ranAgain && !answered) return false;
  }
  const quietSince = Math.max(bb.idleSince, bb.lastReceived);
  return performance.now() - quietSince >= settleMs;
}
"""


# ---------------------------------------------------------------- browser contexts


def new_app_context(browser, **kwargs: Any):
    """A browser context with the run tracker installed in every frame."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **kwargs)
    context.set_default_timeout(APP_TIMEOUT_MS)
    context.add_init_script(RUN_TRACKER)
    return context


LOCAL_HOSTS = ("127.0.0.1", "localhost")


def _is_local(url: str) -> bool:
    host = urlsplit(url).hostname
    return url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS


def _is_base_path_probe(url: str, text: str) -> bool:
    # Opened on /feedback, Streamlit's frontend first looks for its server under
    # /feedback/_stcore/… and falls back to / on a 404: expected noise, not an app error.
    path = urlsplit(url).path
    return (
        "status of 404" in text
        and path.endswith(("/_stcore/health", "/_stcore/host-config"))
        and path.count("/") > 2
    )


def watch_page(page) -> None:
    """Record dialogs (dismissing them), console errors and requests leaving the machine.

    Requests to other hosts are blocked (the app must work offline, and candidates'
    browsers should not be sent anywhere else) and listed in `page.external_requests`;
    the browser's own "failed to load" console message for them is not repeated in
    `page.console_errors`.
    """
    page.dialogs = []
    page.console_errors = []
    page.external_requests = []

    def on_route(route) -> None:
        if _is_local(route.request.url):
            route.continue_()
        else:
            page.external_requests.append(route.request.url)
            route.abort()

    page.route("**/*", on_route)

    def on_dialog(dialog) -> None:
        page.dialogs.append({"type": dialog.type, "message": dialog.message})
        with contextlib.suppress(Exception):
            dialog.dismiss()

    def on_console(message) -> None:
        if message.type != "error":
            return
        source = (message.location or {}).get("url", "")
        if source and not _is_local(source) and message.text.startswith("Failed to load"):
            return
        if _is_base_path_probe(source, message.text):
            return
        page.console_errors.append(f"{message.text} ({source})" if source else message.text)

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("pageerror", lambda error: page.console_errors.append(f"uncaught: {error}"))


# ---------------------------------------------------------------- waiting for the app


def app_snapshot(target) -> dict | None:
    """Where the app's traffic stands now; pass it to wait_for_app(since=...)."""
    return target.evaluate(SNAPSHOT)


def wait_for_app(
    target, *, timeout: int = APP_TIMEOUT_MS, settle_ms: int = 250, since: dict | None = None
) -> None:
    """Wait until the app in `target` (a Page or Frame) has finished running its script.

    "Finished" means connected, script state notRunning and no message from the server
    for `settle_ms`, which also covers the short gap between an action and its rerun.
    With `since` (from app_snapshot before an action), a rerun or server reply after
    that snapshot is required too.
    """
    target.wait_for_function(IDLE_CHECK, arg=[settle_ms, since], timeout=timeout, polling=50)


@contextlib.contextmanager
def expect_rerun(target, *, timeout: int = APP_TIMEOUT_MS) -> Iterator[None]:
    """Wrap an action that triggers a rerun; returns when that rerun has finished."""
    before = app_snapshot(target)
    yield
    try:
        wait_for_app(target, timeout=timeout, settle_ms=150, since=before)
    except Exception as exc:
        raise AssertionError(
            "the action did not trigger a finished app rerun within "
            f"{timeout / 1000:.0f}s ({exc.__class__.__name__})"
        ) from exc


def open_app(page, url: str) -> None:
    """Go to `url` and wait until its first script run has finished."""
    page.goto(url)
    wait_for_app(page, since={"started": 0, "sent": 0})


# ---------------------------------------------------------------- widget drivers


def main_area(target):
    return target.locator('[data-testid="stMain"]')


def scroll_to(target, locator) -> None:
    """Bring `locator` into view, looking it up again if a redraw replaced the element.

    A rerun can swap a widget's DOM node for a new one between finding and scrolling;
    Playwright then reports it as detached instead of retrying.
    """
    for attempt in range(4):
        try:
            locator.scroll_into_view_if_needed()
            return
        except PlaywrightError as error:
            if "not attached" not in str(error) or attempt == 3:
                raise
            wait_for_app(target)


def fill_text(target, label: str, value: str, *, within=None) -> None:
    """Type into a text input or text area and commit it (Enter / blur), as a user would."""
    box = (within or main_area(target)).get_by_label(label, exact=True)
    scroll_to(target, box)
    with expect_rerun(target):
        box.fill(value)
        if box.evaluate("el => el.tagName") == "TEXTAREA":
            box.blur()
        else:
            box.press("Enter")


def choose(target, label: str, option: str, *, within=None) -> None:
    """Pick `option` (its visible text) in the selectbox labelled `label`."""
    combobox = (within or main_area(target)).get_by_role("combobox", name=label, exact=True)
    scroll_to(target, combobox)
    choice = target.get_by_role("listbox").get_by_role("option", name=option, exact=True)
    for attempt in range(3):
        # A click that lands while the box redraws can leave it shut: try again.
        if attempt:
            wait_for_app(target)
        combobox.click()
        try:
            choice.wait_for(state="visible", timeout=5000)
            break
        except Exception:
            continue
    with expect_rerun(target):
        choice.click()


def rating_group(target, label: str):
    """The segmented control (a radio group) labelled `label`."""
    return main_area(target).get_by_role("radiogroup", name=label, exact=True)


def rate(target, label: str, option: str) -> None:
    """Pick `option` in the segmented control (self-rating) labelled `label`."""
    button = rating_group(target, label).get_by_role("radio", name=option, exact=True)
    scroll_to(target, button)
    with expect_rerun(target):
        button.click()
    assert button.get_attribute("aria-checked") == "true", f"{label!r}: {option!r} not picked"


def fill_date(target, label: str, iso_date: str, *, within=None) -> None:
    """Type a YYYY-MM-DD date into the date input labelled `label`, then Tab out of it.

    Streamlit's date field is a row of year/month/day segments plus a calendar button;
    it commits when focus moves to something outside the field.
    """
    widget = (
        (within or main_area(target))
        .locator('[data-testid="stDateInput"]')
        .filter(has=target.get_by_role("group", name=label, exact=True))
    )
    year = widget.get_by_role("spinbutton", name=f"year, {label}", exact=True)
    scroll_to(target, year)
    # Focus rather than click: a click also opens the calendar, and the field does not
    # commit while the calendar is open.
    year.focus()
    keyboard = _page_of(target).keyboard
    with expect_rerun(target):
        keyboard.type(iso_date.replace("-", ""))
        for _ in range(4):
            keyboard.press("Tab")
            if not widget.evaluate("el => el.contains(document.activeElement)"):
                break


def cards_of(target, field_key: str):
    """The cards of one questionnaire list, in order."""
    return main_area(target).locator(f'[class*="st-key-cardbox_{field_key}_"]')


def add_card(target, field_key: str, values: dict[str, str]) -> None:
    """Press "Add a…/Add another…" under a list, then fill the new card input by input.

    `values` maps each input's label to what to type or pick: a select gets its option
    text, a date field a YYYY-MM-DD date, anything else is typed.
    """
    cards = cards_of(target, field_key)
    before = cards.count()
    add = main_area(target).locator(f".st-key-add_{field_key} button")
    scroll_to(target, add)
    with expect_rerun(target):
        add.click()
    expect(cards).to_have_count(before + 1)
    card = cards.nth(before)
    for label, value in values.items():
        if card.get_by_role("combobox", name=label, exact=True).count():
            choose(target, label, value, within=card)
        elif card.get_by_role("group", name=label, exact=True).count():
            fill_date(target, label, value, within=card)
        else:
            fill_text(target, label, value, within=card)


def card_values(target, field_key: str, label: str) -> list[str]:
    """What each card of a list shows in the input labelled `label`."""
    cards = cards_of(target, field_key)
    return [
        cards.nth(index).get_by_label(label, exact=True).input_value()
        for index in range(cards.count())
    ]


def selected_option(target, label: str) -> str:
    """The option text a selectbox shows as chosen ("" when none): its combobox's value."""
    return main_area(target).get_by_role("combobox", name=label, exact=True).input_value()


def picked_rating(target, label: str) -> str | None:
    checked = rating_group(target, label).locator('[role="radio"][aria-checked="true"]')
    return checked.inner_text().strip() if checked.count() else None


def focused(locator) -> bool:
    return locator.evaluate(
        "el => el === document.activeElement || el.contains(document.activeElement)"
    )


def tab_to(target, locator, *, max_presses: int = 80) -> int:
    """Press Tab (only Tab) until `locator` has keyboard focus; returns the presses."""
    keyboard = _page_of(target).keyboard
    locator.wait_for()
    for presses in range(1, max_presses + 1):
        keyboard.press("Tab")
        wait_for_app(target, settle_ms=60)
        if focused(locator):
            return presses
    raise AssertionError(f"{locator} never got keyboard focus in {max_presses} Tab presses")


def _page_of(target):
    """The Page behind a Page or a Frame (mouse and keyboard live on the page)."""
    return target if hasattr(target, "keyboard") else target.page


def tick(target, label: str, checked: bool = True) -> None:
    """Tick (or untick) the checkbox labelled `label` by clicking its visible label."""
    widget = (
        main_area(target)
        .locator('[data-testid="stCheckbox"]')
        .filter(has=target.get_by_label(label, exact=True))
    )
    box = widget.get_by_label(label, exact=True)
    if box.is_checked() == checked:
        return
    with expect_rerun(target):
        # The box flips in the browser at once, before the server answers. A click that
        # did not flip it landed while the page was still moving (a frame resizing on a
        # loaded machine): click once more rather than wait for a rerun that never comes.
        for attempt in range(2):
            widget.locator("label").first.click()
            try:
                expect(box).to_be_checked(checked=checked, timeout=5_000)
                break
            except AssertionError:
                if attempt:
                    raise
    assert box.is_checked() == checked, f"checkbox {label!r} did not change"


def click_button(target, name: str) -> None:
    button = main_area(target).get_by_role("button", name=name)
    scroll_to(target, button)
    with expect_rerun(target):
        button.click()


def staff_login(target, base_url: str, username: str, password: str) -> None:
    """Open /staff and send the login form, as a consultant would."""
    open_app(target, f"{base_url}/staff")
    # The first load of a fresh server once showed a "Page not found" modal here.
    assert target.locator('[data-testid="stDialog"]').count() == 0
    main = main_area(target)
    main.get_by_label("Username", exact=True).fill(username)
    main.get_by_label("Password", exact=True).fill(password)
    with expect_rerun(target):
        main.get_by_role("button", name="Log in").click()
    wait_for_app(target)


NAV_TITLES_JS = """
() => [...document.querySelectorAll('[data-testid="stSidebarNavLink"]')].map((link) => {
  const copy = link.cloneNode(true);
  copy.querySelectorAll('[data-testid="stIconMaterial"]').forEach((icon) => icon.remove());
  return copy.textContent.trim();
})
"""


def nav_titles(target) -> list[str]:
    """The page titles offered in the sidebar navigation (icons left out)."""
    return target.evaluate(NAV_TITLES_JS)


def go_to_page(target, title: str) -> None:
    """Open a page through the sidebar navigation, as a user would."""
    link = target.locator('[data-testid="stSidebarNavLink"]').filter(
        has=target.get_by_text(title, exact=True)
    )
    href = link.get_attribute("href")
    with expect_rerun(target):
        link.click()
    # Changing page can take two runs; the address changes with the second.
    if href and hasattr(target, "wait_for_url"):
        target.wait_for_url(href.split("?")[0] + "*")
        wait_for_app(target)


_CODE_CHAR = "[0-9A-HJKMNP-TV-Z]"  # Crockford base32, as core.codes issues them
RESUME_CODE = re.compile(f"{_CODE_CHAR}{{4}}(?:-{_CODE_CHAR}{{4}}){{3}}")


def resume_code(target) -> str:
    """The resume code shown on the Welcome page after starting (fails if none is shown)."""
    # Code blocks are drawn by a lazily loaded component, a moment after the run ends.
    expect(main_area(target)).to_contain_text(RESUME_CODE)
    found = RESUME_CODE.search(main_area(target).inner_text())
    assert found, "no resume code on screen"
    return found.group(0)


def wait_for_cookie(context, name: str, *, present: bool = True, timeout_s: float = 15) -> dict:
    """The browser's cookie `name` once it is set (or {} once it is gone)."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = next((c for c in context.cookies() if c["name"] == name), None)
        if (found is not None) == present:
            return found or {}
        if time.monotonic() > deadline:
            state = "never set" if present else "never cleared"
            raise AssertionError(f"cookie {name!r} {state} within {timeout_s:.0f}s")
        time.sleep(0.1)
