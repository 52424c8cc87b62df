"""``snorq-desktop login``, ``logout`` and ``join``."""

import argparse
import getpass
import os
import sys

from snorq_desktop.boot.accounts import account_store, join_team, sign_in, sign_out
from snorq_desktop.boot.app import open_database, open_plumbing
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.domain.errors import KnownError, SignInCancelled
from snorq_desktop.domain.identity import Identity
from snorq_desktop.secrets.invite_code import InviteCode


def run(command: str, settings: Settings, paths: AppPaths, arguments: argparse.Namespace) -> int:
    if command == "login":
        return _login(settings, paths, arguments.timeout)
    if command == "logout":
        plumbing = open_plumbing()
        try:
            account = sign_out(settings, paths, plumbing.http)
        finally:
            plumbing.close()
        print(f"Signed out {account.email}." if account else "Nobody was signed in.")
        return 0
    return _join(settings, paths, arguments.code, arguments.db_user)


def _where(identity: Identity | None) -> str:
    if identity is None:
        return "not in an organisation yet: open the window to create one, or use an invite"
    return f"acting in {identity.organization_name}"


def _login(settings: Settings, paths: AppPaths, timeout: float) -> int:
    plumbing = open_plumbing()
    try:
        with open_database(settings, paths, migrate=False) as database:
            print("Opening your browser to sign in with Google… (Ctrl+C stops)")
            done = sign_in(
                settings,
                paths,
                database,
                plumbing.http,
                timeout=timeout,
                on_url=lambda url: print(f"If no browser opens, visit:\n  {url}", flush=True),
            )
    except KeyboardInterrupt:
        raise SignInCancelled("Sign-in cancelled; nobody was signed in.") from None
    finally:
        plumbing.close()
    name = done.account.name or done.account.email
    print(f"Signed in as {name} <{done.account.email}>; {_where(done.identity)}.")
    return 0


def _join(settings: Settings, paths: AppPaths, code: str, db_user: str) -> int:
    account = account_store(settings, paths).load()
    if account is None:
        raise KnownError("Sign in first (`snorq-desktop login`), then use the invite code.")
    password = os.environ.get("SNORQ_DATABASE_PASSWORD")
    if password is None and not db_user and InviteCode.parse(code).opens_own_login:
        password = ""  # the code opens the login the database made for this invite
    if password is None:
        if not sys.stdin.isatty():
            raise KnownError(
                "Give the team database's password in SNORQ_DATABASE_PASSWORD (the invite code "
                "does not carry it)."
            )
        password = getpass.getpass("Team database password: ")
    identity, _ = join_team(settings, paths, account, code, user=db_user, password=password)
    print(f"{account.email} joined {identity.organization_name}; this app now uses its database.")
    return 0
