"""What a candidate's contact request says back to them once it has been sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from core.clock import day_label


def sent_status(request: Mapping[str, Any], shared: bool, today: dt.date) -> str:
    """What the candidate sent, when, and how they'll be contacted, in one paragraph.

    The request's time is its own: a reflection shared before or after it is mentioned
    as being with consultants now, without claiming it went at the same moment."""
    sent = dt.datetime.fromisoformat(str(request["created_at"]))
    when = f"{day_label(sent.date(), today)} at {sent:%H:%M} UTC"
    what = "your contact details and your message" + (
        ", and your reflection is with them too" if shared else ""
    )
    email, phone = request.get("email"), request.get("phone")
    channel = request.get("channel")
    if channel == "email" or (channel == "either" and email and not phone):
        how = f"by e-mail at {email}"
    elif channel == "phone" or (channel == "either" and phone and not email):
        how = f"by phone on {phone}"
    else:
        how = f"by e-mail at {email} or by phone on {phone}"
    timing = request.get("preferred_time")
    timing_text = f" ({timing}, if they can)" if timing else ""
    return f"Sent on {when}: {what}. A consultant will get in touch {how}{timing_text}."
