"""The script that closes the navigation on a phone (ui/step.py) runs inside the blog's
cross-origin frame too, where reading anything of the parent window throws (issue 18).

Run in Node with a stand-in window and document: no browser needed to see whether the
script survives a parent it may not read.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from ui.step import CLOSE_NAV_JS

NODE = shutil.which("node")

HARNESS = """
const script = %s;
const clicked = [];
const button = { click: () => clicked.push("close") };
const bar = { querySelector: () => button };
globalThis.document = { querySelector: () => bar };
globalThis.window = {
  innerWidth: %d,
  get parent() {
    if (%s) {
      const parent = {};
      Object.defineProperty(parent, "innerWidth", {
        get() { throw new Error("SecurityError: a cross-origin frame"); },
      });
      return parent;
    }
    return { innerWidth: %d };
  },
};
try {
  new Function(script)();
  console.log(JSON.stringify({ error: null, clicked }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error), clicked }));
}
"""


def run_script(*, width: int, cross_origin: bool, parent_width: int = 1200) -> dict:
    body = CLOSE_NAV_JS.removeprefix("<script>").removesuffix("</script>")
    code = HARNESS % (json.dumps(body), width, "true" if cross_origin else "false", parent_width)
    out = subprocess.run([NODE, "-e", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js (apt-get install nodejs)")


def test_inside_a_cross_origin_frame_on_a_phone_the_menu_still_closes():
    assert run_script(width=390, cross_origin=True) == {"error": None, "clicked": ["close"]}


def test_inside_a_cross_origin_frame_on_a_wide_screen_nothing_breaks():
    assert run_script(width=1000, cross_origin=True) == {"error": None, "clicked": []}


def test_a_narrow_parent_window_still_closes_it_where_it_may_be_read():
    assert run_script(width=1000, cross_origin=False, parent_width=400)["clicked"] == ["close"]
    assert run_script(width=1000, cross_origin=False, parent_width=1200)["clicked"] == []
