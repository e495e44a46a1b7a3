"""Step 1."""

from __future__ import annotations

from ui import fields, nav, step

spec = step.header("feedback")
if nav.require_candidate():
    for f in spec.fields:
        fields.field(f.key)
    nav.next_button("feedback")
