"""`bounce-back`: the admin's command line. One subcommand per admin task.

The logic lives in `core.accounts` and `core.admin`; this module only parses arguments,
prompts and prints. Every command exits 0 on success and 1 (with one line on stderr)
when it refuses or the database, the disk or a `BOUNCE_BACK_*` setting is at fault:
never a traceback. Every command names the database file it used. Only `init` and
`add-consultant` create a database; the others open an existing file (`mode=rw`), so a
mistyped `--db` is an error instead of a new, empty database.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from core import accounts, admin, audit_key, clock, digest, outbox, reminders, targets
from core.settings import Settings, load_settings
from core.settings_check import notification_problems
from core.store import (
    STORE_ERRORS,
    Store,
    StoreBusy,
    StoreError,
    is_postgres_url,
    make_store,
    shown_location,
)

# `maintenance` from cron: an erasure's clean-up runs at most this often.
DEFAULT_MAINTENANCE_MINUTES = 60.0


class CliError(Exception):
    """A refusal worth one line on stderr."""


def _settings() -> Settings:
    try:
        return load_settings()
    except ValueError as exc:
        raise CliError(f"A setting is wrong: {exc}. Nothing was changed.") from exc


def _db_path(args: argparse.Namespace) -> Path | str:
    """The SQLite file, or the PostgreSQL URL (--db, else BOUNCE_BACK_DATABASE_URL/_DB_PATH)."""
    if getattr(args, "resolved_db", None) is None:
        raw = args.db or _settings().db_path
        args.resolved_db = raw if is_postgres_url(raw) else Path(raw).expanduser().resolve()
    return args.resolved_db


@contextmanager
def _store(args: argparse.Namespace, *, create: bool = False) -> Iterator[Store]:
    """The database named by --db (or the settings); created only when `create`."""
    path = _db_path(args)
    if isinstance(path, Path) and not create and not path.exists():
        raise CliError(
            f"There is no database at {path}. Check --db or BOUNCE_BACK_DB_PATH; "
            "`bounce-back init` creates a new one."
        )
    store = make_store(path, create=create)
    try:
        yield store
    finally:
        with suppress(*STORE_ERRORS):
            store.close()


def _say_database(args: argparse.Namespace) -> None:
    print(f"Database: {shown_location(_db_path(args))}")


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def _database_error(args: argparse.Namespace, exc: StoreError) -> str:
    resolved = getattr(args, "resolved_db", None)
    where = shown_location(resolved) if resolved else "the database"
    if isinstance(exc, StoreBusy):
        return (
            f"The database at {where} is busy (another program is writing to it); "
            "nothing was changed. Try again in a moment."
        )
    return f"The database at {where} could not be used: {exc}. Is it the right file?"


def _os_error(exc: OSError) -> str:
    names = " → ".join(str(n) for n in (exc.filename, exc.filename2) if n)
    reason = exc.strerror or str(exc)
    return f"{reason}: {names}." if names else f"{reason}."


def cmd_init(args: argparse.Namespace, _: Callable[[str], str]) -> int:
    path = _db_path(args)
    existed = path.exists() if isinstance(path, Path) else True  # PostgreSQL: made by its admin
    with _store(args, create=True) as store:
        try:
            _, said = audit_key.ensure(_settings(), store, path)
        except ValueError as exc:  # an unreadable key file or BOUNCE_BACK_AUDIT_KEY
            raise CliError(f"{exc}. The database is ready; the audit key is not.") from exc
        # Requests queued before migration 0012 get their response target (the app's
        # start does the same; whichever runs first does the work).
        targets.backfill_respond_by(store, _settings())
    _say_database(args)
    print("It already existed; it is up to date." if existed else "Created a new database.")
    if said:
        print(said)
    return 0


def cmd_add_consultant(args: argparse.Namespace, read_password: Callable[[str], str]) -> int:

    password = read_password("Password: ")
    again = read_password("Password again: ")
    if password != again:
        return _fail("The two passwords differ. Nothing was created.")
    try:
        with _store(args, create=True) as store:
            accounts.add_consultant(
                store, args.username, password, display_name=args.name or "", email=args.email
            )
    except ValueError as exc:
        return _fail(f"{exc} Nothing was created.")
    _say_database(args)
    print(f"Created consultant {args.username!r}.")
    return 0


def cmd_disable_consultant(args: argparse.Namespace, _: Callable[[str], str]) -> int:

    try:
        with _store(args) as store:
            usernames = accounts.disable_consultant(store, args.username)
    except ValueError as exc:
        return _fail(str(exc))
    _say_database(args)
    for username in usernames:
        print(
            f"Disabled consultant {username!r}. They can no longer log in, single sign-on "
            "included, and any open session ends at their next click."
        )
    return 0


def cmd_list_consultants(args: argparse.Namespace, _: Callable[[str], str]) -> int:

    with _store(args) as store:
        rows = accounts.list_consultants(store)
    _say_database(args)
    if not rows:
        print("No consultants yet. Create one with: bounce-back add-consultant USERNAME")
    for row in rows:
        state = "disabled" if row["disabled"] else "active"
        print(f"{row['username']}\t{row.get('display_name') or ''}\t{state}\t{row['created_at']}")
    return 0


def cmd_purge(args: argparse.Namespace, _: Callable[[str], str]) -> int:

    settings = _settings()
    draft_days = settings.draft_retention_days if args.drafts is None else args.drafts
    submitted_days = settings.submitted_retention_days if args.submitted is None else args.submitted
    audit_days = settings.audit_retention_days if args.audit is None else args.audit
    try:
        with _store(args) as store:
            counts = admin.purge(
                store, draft_days, submitted_days, audit_days=audit_days, dry_run=args.dry_run
            )
    except ValueError as exc:
        return _fail(str(exc))
    _say_database(args)
    verb = "Would delete" if args.dry_run else "Deleted"
    print(
        f"{verb} {counts['drafts']} draft and {counts['submitted']} submitted reflections "
        f"({counts['candidates']} candidates with nothing left), {counts['audit']} audit "
        f"log rows and {counts['login_attempts']} login attempts."
    )
    return 0


def cmd_backup(args: argparse.Namespace, _: Callable[[str], str]) -> int:

    try:
        with _store(args) as store:
            result = admin.backup(store, args.path)
    except ValueError as exc:
        return _fail(str(exc))
    _say_database(args)
    print(f"Backed up to {result['path']} ({result['bytes']:,} bytes, integrity ok).")
    return 0


def cmd_maintenance(args: argparse.Namespace, _: Callable[[str], str]) -> int:
    """The clean-up "Delete my data" left for later, at most once per --every-minutes
    (PostgreSQL: rewriting the erased tables; SQLite: emptying the WAL when a reader was
    in the way). Meant for cron."""
    with _store(args) as store:
        done = store.run_maintenance(min_interval_seconds=args.every_minutes * 60)
    _say_database(args)
    print("; ".join(done).capitalize() + "." if done else "Nothing to do.")
    return 0


def cmd_send_due(args: argparse.Namespace, _: Callable[[str], str]) -> int:
    """Deliver the notifications that are due (core/outbox.py), once; for cron, as an
    alternative to the sender inside the app process."""
    settings = load_settings()
    with _store(args) as store:
        outcome = outbox.send_due(store, settings)
        waiting = outbox.waiting(store, clock.system_clock())
        reminded = reminders.run_pass(store, settings)
        digested = digest.run_pass(store, settings)
    _say_database(args)
    print(
        f"Sent {outcome.sent}, to retry {outcome.retrying}, refused {outcome.refused}; "
        f"waiting over {outbox.WAITING_ALERT_MINUTES} minutes: {waiting}."
    )
    print(
        f"Candidate reminders: sent {reminded.sent}, to retry {reminded.retrying}, "
        f"refused {reminded.refused}."
    )
    print(
        f"Daily digest: sent {digested.sent}, to retry {digested.retrying}, "
        f"refused {digested.refused}."
    )
    return 0


def cmd_check_settings(args: argparse.Namespace, _: Callable[[str], str]) -> int:
    """Check the notification settings (mail, webhook, working time, digest, links);
    exits 1 naming each problem, for a deployment script to stop on."""
    problems = notification_problems(load_settings())
    if problems:
        return _fail("\n".join(f"- {problem}" for problem in problems))
    print("The notification settings look right.")
    return 0


def cmd_stats(args: argparse.Namespace, _: Callable[[str], str]) -> int:

    with _store(args) as store:
        counts = admin.stats(store)
    # Only JSON on stdout, so the path travels inside it.
    where = shown_location(_db_path(args))
    print(json.dumps({"database": where, **counts}, indent=2, ensure_ascii=False))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Callable[[str], str]], int]] = {
    "init": cmd_init,
    "add-consultant": cmd_add_consultant,
    "disable-consultant": cmd_disable_consultant,
    "list-consultants": cmd_list_consultants,
    "purge": cmd_purge,
    "backup": cmd_backup,
    "stats": cmd_stats,
    "maintenance": cmd_maintenance,
    "send-due": cmd_send_due,
    "check-settings": cmd_check_settings,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bounce-back", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database file (default: BOUNCE_BACK_DB_PATH or data/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create the database (or bring an existing one up to date)")
    add = sub.add_parser("add-consultant", help="create a consultant login")
    add.add_argument("username")
    add.add_argument("--name", help="display name shown on notes")
    add.add_argument("--email", help="e-mail address (used for single sign-on)")
    disable = sub.add_parser(
        "disable-consultant", help="stop a consultant logging in (password or single sign-on)"
    )
    disable.add_argument("username", help="username, or e-mail address for single sign-on")
    sub.add_parser("list-consultants", help="list consultant logins")
    purge = sub.add_parser("purge", help="delete reflections past their retention")
    purge.add_argument(
        "--drafts",
        type=int,
        metavar="DAYS",
        help="age in days after which unsubmitted reflections go",
    )
    purge.add_argument(
        "--submitted",
        type=int,
        metavar="DAYS",
        help="age in days after which submitted reflections go",
    )
    purge.add_argument(
        "--audit",
        type=int,
        metavar="DAYS",
        help="age in days after which audit log rows and login attempts go",
    )
    purge.add_argument("--dry-run", action="store_true", help="only count what would go")
    backup = sub.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("path")
    sub.add_parser("stats", help="counts by status and campaign, as JSON")
    maintenance = sub.add_parser(
        "maintenance", help="run work requests left for later (erasure clean-up); for cron"
    )
    maintenance.add_argument(
        "--every-minutes",
        type=float,
        default=DEFAULT_MAINTENANCE_MINUTES,
        help="skip work done less than this long ago (default %(default)s)",
    )
    sub.add_parser("send-due", help="deliver the notifications that are due, once (for cron)")
    sub.add_parser("check-settings", help="check the notification settings; exit 1 on a problem")
    return parser


def main(
    argv: Sequence[str] | None = None, read_password: Callable[[str], str] = getpass.getpass
) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args, read_password)
    except CliError as exc:
        return _fail(str(exc))
    except StoreError as exc:
        return _fail(_database_error(args, exc))
    except OSError as exc:
        return _fail(_os_error(exc))


if __name__ == "__main__":
    raise SystemExit(main())
