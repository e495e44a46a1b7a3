"""Log out (the last entry of a consultant's navigation): opening it logs out everywhere."""

from __future__ import annotations

from ui import consultant

consultant.logout()
