"""The frame every step page shares: heading, intro, sections, messages, self-ratings."""

from __future__ import annotations

import json
from collections.abc import Collection

import streamlit as st

from core.drafts import Draft, is_edited, mailto_link_if_fits, overflow
from core.questionnaire import STEPS_BY_KEY, Field, Step, step_heading
from ui import fields, state

# Rating buttons: 44 px touch targets everywhere; on a phone, stacked full width instead
# of wrapping 3 + 2 (which put "Agree" under "Strongly disagree"). Static CSS, no user text.
RATING_CSS = """<style>
[data-testid="stButtonGroup"] [role="radiogroup"] button { min-height: 44px; }
@media (max-width: 640px) {
  [data-testid="stButtonGroup"] [role="radiogroup"] {
    display: flex; flex-direction: column; align-items: stretch; width: 100%; gap: 6px;
  }
  [data-testid="stButtonGroup"] [role="radiogroup"] button {
    width: 100%; margin: 0; border-radius: 8px !important;
  }
}
/* A clear focus ring on every control reached by keyboard (WCAG 2.4.7 / 2.4.11): on
   the control itself, or on the visible box around an input Streamlit draws. */
:focus-visible { outline: 3px solid #2f6f6a !important; outline-offset: 2px !important; }
[data-baseweb="input"]:focus-within, [data-baseweb="textarea"]:focus-within,
[data-baseweb="select"] > div:focus-within,
[data-testid="stCheckbox"] label:has(input:focus-visible),
[data-testid="stDateInput"] [role="group"]:focus-within {
  outline: 3px solid #2f6f6a; outline-offset: 2px; border-radius: 8px;
}
</style>"""


# Streamlit (1.67) leaves the navigation open over the page after a choice on a phone.
# When a page's elements first mount on a narrow screen, close it. Static script, no
# user text; it runs once per page opened, not on every rerun. Inside the blog's frame
# the parent window belongs to another origin and reading its width throws: the
# frame's own width decides there.
CLOSE_NAV_JS = """<script>
(() => {
  let narrow = window.innerWidth <= 640;
  try {
    narrow = narrow || window.parent.innerWidth <= 640;
  } catch (crossOrigin) {
    // the blog's page: not ours to read
  }
  if (!narrow) return;
  const bar = document.querySelector('[data-testid="stSidebar"][data-collapsed="false"]');
  const close = bar && bar.querySelector('button[aria-label="Collapse sidebar"], '
    + '[data-testid="stSidebarCollapseButton"] button');
  if (close) close.click();
})();
</script>"""


def page_styles() -> None:
    """Rating buttons sized for fingers and a visible focus ring (static CSS, no script)."""
    st.html(RATING_CSS)


def phone_fixes() -> None:
    """`page_styles`, and the menu closed after choosing a page on a phone."""
    page_styles()
    st.html(CLOSE_NAV_JS, unsafe_allow_javascript=True)


def header(step_key: str) -> Step:
    phone_fixes()
    step = STEPS_BY_KEY[step_key]
    st.caption(step_heading(step.number))
    st.title(step.title)
    st.write(step.intro)
    return step


def section(title: str, caption: str = "") -> None:
    st.header(title, divider="gray")
    if caption:
        st.caption(caption)


# A free-text answer (what they learned, what the feedback said) gets room for a few lines.
TEXT_BOX_PX = 160


def questions(
    step: Step,
    part: str,
    *,
    columns: int = 1,
    skip: Collection[str] = (),
    named_by_heading: str = "",
) -> None:
    """Every field the questionnaire puts in this part of the step's page, in its order.

    With `columns`, fields sit side by side in rows of that many (a last one alone takes
    the whole width). `skip` leaves out fields the page hides for now; the field named
    by `named_by_heading` has the section heading above as its label, so it shows none.
    """
    chosen = [f for f in step.fields if f.section == part and f.key not in skip]
    for start in range(0, len(chosen), columns):
        row = chosen[start : start + columns]
        if len(row) == 1:
            _question(row[0], named_by_heading)
            continue
        for place, f in zip(st.columns(len(row)), row, strict=True):
            with place:
                _question(f, named_by_heading)


def _question(f: Field, named_by_heading: str) -> None:
    fields.field(
        f.key,
        placeholder=f.placeholder or None,
        height=TEXT_BOX_PX if f.kind == "textarea" else None,
        label_visibility="collapsed" if f.key == named_by_heading else "visible",
    )


def ratings(step: Step, caption: str = "") -> None:
    """The step's self-ratings under one heading, then the questions that follow them."""
    section(
        "How it feels right now",
        caption
        or "There are no right answers here. Pick whatever is closest today; you can "
        "change it any time.",
    )
    for f in step.fields:
        if f.kind == "likert":
            fields.field(f.key)
    questions(step, "ratings")


def message(
    key: str,
    suggestion: Draft,
    *,
    limit: int | None = None,
    email: bool = True,
) -> str:
    """An editable message with 'start again', copy and (optionally) e-mail actions.

    With `limit`, the box stops at that many characters and a count sits right under it.
    Returns the text as it stands on screen.
    """
    text = fields.draft_field(
        key,
        suggestion.body,
        height=fit_height(_current(key, suggestion.body)),
        max_chars=limit,
    )
    if limit is not None:
        _length_note(text, limit)
    edited = is_edited(state.answers().get(key))
    st.caption(
        "Your own version, saved." if edited else "Our suggestion from your answers. Edit freely."
    )
    left, right = st.columns(2)
    left.button(
        "Start again from our suggestion",
        key=f"reset_{key}",
        icon=":material/restart_alt:",
        disabled=not edited,
        on_click=fields.reset_draft,
        args=(key, suggestion.body),
        help="Replaces your edits with a fresh draft built from your latest answers.",
    )
    link = mailto_link_if_fits(key, Draft(suggestion.subject, text)) if email else None
    if link:
        right.link_button(
            "Open in my e-mail app",
            link,
            icon=":material/mail:",
            help="Opens a new e-mail with this subject and message. Nothing is sent for you.",
        )
    elif email:
        right.caption(
            "This can't open in an e-mail app as it is (too long, or a character we can't "
            "send): copy it with the button below instead."
        )
    copy_button(text)
    if suggestion.subject:
        st.caption("Subject line")
        st.code(suggestion.subject, language=None, wrap_lines=True)
    return text


# A line of a text box holds about this many characters on a phone; each line is ~24 px.
CHARS_PER_LINE = 38
LINE_PX = 24
MIN_BOX_PX = 120
MAX_BOX_PX = 900


def fit_height(text: str) -> int:
    """A text box tall enough to show `text` whole on a narrow screen, so nothing in it
    (the signature at the end, say) is hidden behind a scroll inside the page."""
    lines = sum(max(1, -(-len(line) // CHARS_PER_LINE)) for line in text.split("\n"))
    return max(MIN_BOX_PX, min(lines * LINE_PX + 40, MAX_BOX_PX))


def _current(key: str, generated: str) -> str:
    saved = state.answers().get(key)
    return saved if is_edited(saved) else generated


COPY_HTML = """<button id="copy" style="min-height:44px;padding:0 16px;border-radius:8px;
border:1px solid #9aa5b1;background:#fff;font:15px system-ui,sans-serif;cursor:pointer">
Copy message</button><span id="done" role="status"
style="margin-left:10px;font:14px system-ui,sans-serif"></span>
<script>
const text = %s;
const done = document.getElementById("done");
document.getElementById("copy").addEventListener("click", async () => {
  try { await navigator.clipboard.writeText(text); }
  catch (e) {
    const area = document.createElement("textarea");
    area.value = text; document.body.appendChild(area); area.select();
    document.execCommand("copy"); area.remove();
  }
  done.textContent = "Copied. Paste it into your e-mail or LinkedIn.";
});
</script>"""


def _script_literal(text: str) -> str:
    # JSON is a JavaScript literal; escaping <, > and & keeps "</script>" in a message
    # from ending the script, and the line separators from breaking it.
    literal = json.dumps(text)
    for raw, safe in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        literal = literal.replace(raw, safe)
    return literal.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def copied_text(frame_html: str) -> str:
    """The message a copy button's frame holds (for tests and checks)."""
    start = frame_html.index("const text = ") + len("const text = ")
    return json.loads(frame_html[start : frame_html.index(";\n", start)])


def copy_button(text: str) -> None:
    """A visible 'Copy message' button (Streamlit's own copy icon only shows on hover)."""
    st.iframe(COPY_HTML % _script_literal(text), height=52)


def _length_note(text: str, limit: int) -> None:
    # The widget's own counter shows only while typing, and the server silently cuts
    # anything longer than max_chars that reaches it; core checks the limit on save. So
    # say plainly where the text stands, and warn when it sits exactly at the limit,
    # which is what a cut-off paste looks like.
    over = overflow(text, limit)
    if over:
        st.error(
            f"This is {over} characters over the {limit} limit. Please shorten it; your "
            "last saved version is kept.",
            icon=":material/error:",
        )
    elif len(text) == limit:
        st.warning(
            f"That's the full {limit} characters. Anything pasted beyond that was cut off, "
            "so check the end still reads well.",
            icon=":material/warning:",
        )
    else:
        st.caption(f"{len(text)} of {limit} characters.")
