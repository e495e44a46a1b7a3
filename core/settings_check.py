"""The notification settings, checked before anything is sent: what is wrong, in words.

A typo in a mail or webhook setting would otherwise show up only as retries in the
outbox, long after the operator has moved on. The app prints these at start (it still
starts: the candidates' pages don't depend on mail) and `bounce-back check-settings`
exits non-zero on any of them, for a deployment script to stop on.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from core import addresses, delivery, webhook, working_time
from core.settings import Settings


def notification_problems(settings: Settings) -> list[str]:
    """Every problem with the notification settings, one sentence each; [] when fine."""
    problems: list[str] = []
    try:
        delivery.transport_for(settings.notify_mail_url)
    except delivery.BadDeliveryUrl as exc:
        problems.append(f"BOUNCE_BACK_NOTIFY_MAIL_URL: {exc}")
    # An empty team address is allowed (the webhook alone is told); a sender is not.
    checked = [("BOUNCE_BACK_NOTIFY_FROM", settings.notify_from)]
    if settings.notify_team_email.strip():
        checked.append(("BOUNCE_BACK_NOTIFY_TEAM_EMAIL", settings.notify_team_email))
    for name, value in checked:
        try:
            addresses.check_email(value)
        except addresses.AddressError as exc:
            problems.append(f"{name}: {exc}")
    if settings.notify_webhook_url.strip():
        try:
            webhook.check_webhook_url(settings.notify_webhook_url)
        except webhook.BadWebhookUrl as exc:
            problems.append(f"BOUNCE_BACK_NOTIFY_WEBHOOK_URL: {exc}")
        if not settings.notify_webhook_secret.strip():
            problems.append(
                "BOUNCE_BACK_NOTIFY_WEBHOOK_SECRET is empty: the webhook is set but its "
                "messages could not be signed, so none would be sent."
            )
    try:
        working_time.working_hours_from_text(
            settings.working_time_zone, settings.working_days, settings.working_hours
        )
    except working_time.BadWorkingHours as exc:
        problems.append(f"Working time: {exc}")
    if not -1 <= settings.digest_hour <= 23:
        problems.append(
            f"BOUNCE_BACK_DIGEST_HOUR is {settings.digest_hour}: use an hour from 0 to 23, "
            "or -1 for no daily digest."
        )
    parts = urlsplit(settings.public_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problems.append(
            f"BOUNCE_BACK_PUBLIC_URL is {settings.public_url!r}: the links in e-mails need "
            "the address people open the app at, such as https://bounce-back.example.org."
        )
    return problems
