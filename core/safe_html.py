"""Markdown in, safe HTML out, for anything that may carry candidate text.

Python-Markdown passes raw HTML and any link scheme straight through, so its output is
always cleaned with nh3 against a short allow-list: no scripts, styles, event handlers,
images or iframes, and links only to https: and mailto:. Candidate strings are escaped
with `escape_md` before they go into a Markdown document, so they read as text.
"""

from __future__ import annotations

import html
import re

import markdown
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "span",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"align"}, "th": {"align"}}
ALLOWED_SCHEMES = {"https", "mailto"}
# Markdown's inline parser is slow on long runs of brackets; documents are capped first.
MAX_DOCUMENT_CHARS = 200_000

# Characters Markdown acts on wherever they stand; ordinary punctuation (. , ( ) ! ?) is
# left alone, so a downloaded Markdown file reads without a backslash before every stop.
_INLINE = re.compile(r"([\\`*_\[\]|])")
# Marks that count only at the start of a line: headings (Python-Markdown needs no space
# after "#"), lists, rules and setext underlines ("-", "+", "="), "~~~" fences. They are
# written as entities, which render as the same character but start nothing.
_LINE_START = re.compile(r"^(\u00a0*)([#+=~-]|\d+[.)](?=\s|$))", re.MULTILINE)
# Indentation would make a code block; it is kept as visible, non-breaking space.
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


def escape_md(text: object) -> str:
    """Candidate text that reads literally in Markdown, and as text once rendered.

    `<`, `>` and `&` become entities, so no tag survives even before the sanitiser. Line
    breaks stay line breaks inside one paragraph rather than starting new blocks. This is
    the one escaping for Markdown: Streamlit's and Python-Markdown's both read it so.
    """
    if text is None:
        return ""
    escaped = html.escape(str(text), quote=False)
    escaped = escaped.replace("\r\n", "\n").replace("\r", "\n")
    escaped = _INDENT.sub(lambda m: "\u00a0" * len(m.group(0).expandtabs(4)), escaped)
    escaped = _INLINE.sub(r"\\\1", escaped)
    escaped = _LINE_START.sub(
        lambda m: m.group(1) + "".join(f"&#{ord(c)};" for c in m.group(2)), escaped
    )
    return escaped.replace("\n", "  \n")


def sanitise(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template"},
        link_rel="noopener noreferrer nofollow",
        # Relative and protocol-relative links ("//elsewhere") would bypass url_schemes.
        url_relative="deny",
    )


# Link text nests at most this deep in anything we render; deeper "[" are literal.
MAX_BRACKET_DEPTH = 2


def defuse_brackets(document: str) -> str:
    """Backslash-escape "[" that cannot open a link, line by line.

    Python-Markdown scans from every "[" to the end of its block looking for the
    closing "]", so thousands of unmatched or deeply nested brackets take seconds.
    An unmatched "[" renders as a plain "[" either way; escaping it skips the scan.
    """
    lines = []
    for line in document.split("\n"):
        chars = list(line)
        open_at: list[int] = []
        literal: list[int] = []
        i = 0
        while i < len(chars):
            ch = chars[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "[":
                open_at.append(i)
            elif ch == "]" and open_at:
                start = open_at.pop()
                if len(open_at) >= MAX_BRACKET_DEPTH:
                    literal.append(start)
            i += 1
        for index in (*literal, *open_at):
            chars[index] = "\\["
        lines.append("".join(chars))
    return "\n".join(lines)


def render_markdown(document: str) -> str:
    """Render a Markdown document to sanitised HTML (tables and lists supported)."""
    if len(document) > MAX_DOCUMENT_CHARS:
        document = document[:MAX_DOCUMENT_CHARS] + "\n\n*(cut short: the document is too long)*"
    raw = markdown.markdown(
        defuse_brackets(document), extensions=["tables", "sane_lists"], output_format="html"
    )
    return sanitise(raw)


def escape_html(text: str) -> str:
    return html.escape(text, quote=True)
