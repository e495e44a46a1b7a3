"""Every setting the app reads, in one place, each overridable from the environment.

The README lists the variables. No secret has a default here: passwords are hashed in
the database, OIDC secrets stay in `.streamlit/secrets.toml`, and the audit key comes
from the environment or its own file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

from core.delivery import DEFAULT_DELIVERY_URL
from core.limits import trusted_networks

ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "BOUNCE_BACK_"


@dataclass(frozen=True)
class Settings:
    db_path: str = str(ROOT / "data" / "bounce_back.db")
    # A `postgresql://user:password@host:port/name` URL puts the store on PostgreSQL
    # instead of the SQLite file at `db_path` (see docs/scaling.md).
    database_url: str = ""
    # PostgreSQL: the server stops any one statement of a read after this many seconds,
    # so a stalled read cannot hold a connection, and a page, for long.
    read_timeout_seconds: int = 5
    agency_name: str = "Harbour Recruitment"
    contact_email: str = "consultants@example.com"
    contact_phone: str = "+44 20 7946 0000"
    vacancies_url: str = "https://example.com/vacancies"
    contact_url: str = "https://example.com/contact"
    privacy_url: str = "https://example.com/privacy"
    # Where links in notifications point: the address consultants open the app at.
    public_url: str = "http://localhost:8501"
    # Notifications to staff (core/outbox.py): the team's mailbox and/or a chat webhook
    # (JSON signed with HMAC-SHA256 and `notify_webhook_secret`); empty turns one off.
    # `notify_mail_url` is smtp://user:password@host:587 (STARTTLS), smtps://…:465, or
    # file:///folder (each message an .eml file; the default, no mail server needed).
    notify_team_email: str = "consultants@example.com"
    notify_from: str = "bounce-back@example.com"
    notify_mail_url: str = DEFAULT_DELIVERY_URL
    notify_webhook_url: str = ""
    notify_webhook_secret: str = ""
    # How often the app process delivers due notifications; 0 leaves it to cron
    # (`bounce-back send-due`).
    notify_every_seconds: int = 30
    # Working time, for response targets ("respond by"): a zone, days and hours.
    working_time_zone: str = "Europe/London"
    working_days: str = "Mon-Fri"
    working_hours: str = "09:00-17:00"
    # The consultants' daily digest (follow-ups due, targets missed) goes to the team
    # address at this local hour (0-23, in `working_time_zone`); -1 turns it off.
    digest_hour: int = 8
    # Drafts nobody submitted are purged after this many days; submitted ones later.
    draft_retention_days: int = 90
    submitted_retention_days: int = 365
    # Audit log rows and login attempts are purged after this many days.
    audit_retention_days: int = 365
    # Consultant sessions.
    idle_timeout_minutes: int = 30
    absolute_timeout_hours: int = 12
    # Password logins: after `login_max_failures` failures in a row, each further try for
    # that username waits (1 minute, doubling, at most `login_window_minutes`). Past
    # `login_client_failures` failures from one client (address) within
    # `login_window_minutes`, that client's password logins wait; nobody else's do. At
    # most `login_parallel_checks` password hashes are checked at once in the process
    # (each takes about 64 MiB).
    login_max_failures: int = 5
    login_window_minutes: int = 15
    login_client_failures: int = 20
    login_parallel_checks: int = 2
    # Failed password logins from everyone together within `login_window_minutes` past
    # which every password login slows down (`core.password_login.FLOOD_PAUSE_SECONDS`
    # before its check); nobody is refused for it.
    login_failures_ceiling: int = 500
    # Comma-separated e-mails or "@domain" entries allowed through single sign-on.
    sso_allowed: str = ""
    # The identity provider's issuer (`iss`), exactly as in its openid-configuration.
    # Single sign-on refuses every login until it is set.
    sso_issuer: str = ""
    # Origins (space- or comma-separated) allowed to show the app in a frame, e.g. the
    # blog: "https://blog.example.com". The app itself always may; staff pages never.
    frame_ancestors: str = ""
    # Proxies (addresses or networks, space- or comma-separated) whose X-Forwarded-For
    # header names the client that the per-client limits count, besides a proxy on this
    # machine, which is always trusted (core/limits.py). Empty: otherwise the socket peer
    # is the client.
    trusted_proxies: str = ""
    # The audit log's key (core/audit_key.py): the key itself as hex (for processes on
    # several machines), or the file holding it (default: audit.key beside the SQLite
    # database). An environment value, never written anywhere by the app.
    audit_key: str = ""
    audit_key_file: str = ""


def _coerce(raw: str, default: object) -> object:
    if isinstance(default, int):
        return int(raw)
    return raw


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Defaults, overridden by `BOUNCE_BACK_<NAME>` environment variables."""
    env = os.environ if environ is None else environ
    overrides: dict[str, object] = {}
    defaults = Settings()
    for field in fields(Settings):
        raw = env.get(ENV_PREFIX + field.name.upper())
        if raw is not None and raw != "":
            try:
                overrides[field.name] = _coerce(raw, getattr(defaults, field.name))
            except ValueError as exc:
                raise ValueError(
                    f"{ENV_PREFIX + field.name.upper()} must be a whole number, got {raw!r}"
                ) from exc
    if overrides.get("trusted_proxies"):
        trusted_networks(str(overrides["trusted_proxies"]))  # a typo stops the start
    if overrides.get("database_url"):
        # Everything that opens the store reads `db_path`: it names the URL then.
        overrides["db_path"] = overrides["database_url"]
    settings = Settings(**overrides)
    if not -1 <= settings.digest_hour <= 23:
        raise ValueError(f"{ENV_PREFIX}DIGEST_HOUR must be an hour from 0 to 23, or -1 for none")
    return settings
