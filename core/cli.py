"""`bounce-back`: the admin's command line. One subcommand per admin task.

The logic lives in `core.accounts` and `core.admin`; this module only parses arguments,
prompts and prints. Every command exits 0 on success and 1 (with a message on stderr)
when it refuses.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Sequence

from core.settings import load_settings
from core.store import Store, open_store


def _store(args: argparse.Namespace) -> Store:
    return open_store(args.db or load_settings().db_path)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def cmd_add_consultant(args: argparse.Namespace, read_password: Callable[[str], str]) -> int:
    from core import accounts

    password = read_password("Password: ")
    again = read_password("Password again: ")
    if password != again:
        return _fail("The two passwords differ. Nothing was created.")
    try:
        accounts.add_consultant(
            _store(args), args.username, password, display_name=args.name or "", email=args.email
        )
    except ValueError as exc:
        return _fail(f"{exc} Nothing was created.")
    print(f"Created consultant {args.username!r}.")
    return 0


def cmd_disable_consultant(args: argparse.Namespace, _: Callable[[str], str]) -> int:
    from core import accounts

    try:
        usernames = accounts.disable_consultant(_store(args), args.username)
    except ValueError as exc:
        return _fail(str(exc))
    for username in usernames:
        print(
            f"Disabled consultant {username!r}. They can no longer log in, single sign-on "
            "included, and any open session ends at their next click."
        )
    return 0


def cmd_list_consultants(args: argparse.Namespace, _: Callable[[str], str]) -> int:
    from core import accounts

    rows = accounts.list_consultants(_store(args))
    if not rows:
        print("No consultants yet. Create one with: bounce-back add-consultant USERNAME")
    for row in rows:
        state = "disabled" if row["disabled"] else "active"
        print(f"{row['username']}\t{row.get('display_name') or ''}\t{state}\t{row['created_at']}")
    return 0


def cmd_purge(args: argparse.Namespace, _: Callable[[str], str]) -> int:
    from core import admin

    settings = load_settings()
    draft_days = settings.draft_retention_days if args.drafts is None else args.drafts
    submitted_days = settings.submitted_retention_days if args.submitted is None else args.submitted
    audit_days = settings.audit_retention_days if args.audit is None else args.audit
    try:
        counts = admin.purge(
            _store(args), draft_days, submitted_days, audit_days=audit_days, dry_run=args.dry_run
        )
    except ValueError as exc:
        return _fail(str(exc))
    verb = "Would delete" if args.dry_run else "Deleted"
    print(
        f"{verb} {counts['drafts']} draft and {counts['submitted']} submitted reflections "
        f"({counts['candidates']} candidates with nothing left), {counts['audit']} audit "
        f"log rows and {counts['login_attempts']} login attempts."
    )
    return 0


def cmd_backup(args: argparse.Namespace, _: Callable[[str], str]) -> int:
    from core import admin

    try:
        result = admin.backup(_store(args), args.path)
    except ValueError as exc:
        return _fail(str(exc))
    print(f"Backed up to {result['path']} ({result['bytes']:,} bytes, integrity ok).")
    return 0


def cmd_stats(args: argparse.Namespace, _: Callable[[str], str]) -> int:
    from core import admin

    print(json.dumps(admin.stats(_store(args)), indent=2, ensure_ascii=False))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Callable[[str], str]], int]] = {
    "add-consultant": cmd_add_consultant,
    "disable-consultant": cmd_disable_consultant,
    "list-consultants": cmd_list_consultants,
    "purge": cmd_purge,
    "backup": cmd_backup,
    "stats": cmd_stats,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bounce-back", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database file (default: BOUNCE_BACK_DB_PATH or data/)")
    sub = parser.add_subparsers(dest="command", required=True)
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
    return parser


def main(
    argv: Sequence[str] | None = None, read_password: Callable[[str], str] = getpass.getpass
) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args, read_password)


if __name__ == "__main__":
    raise SystemExit(main())
