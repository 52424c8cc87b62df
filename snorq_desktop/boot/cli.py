"""``snorq-desktop``: the command line of the app.

Every user-caused problem ends in one sentence on stderr and a non-zero exit;
only bugs leave a traceback, and that goes to the log file.
"""

import argparse
import logging
import math
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from snorq_desktop import __version__
from snorq_desktop.boot.app import (
    api_login,
    open_database,
    rotate_token_key,
    run_sync_forever,
    run_sync_pass,
    token_key_store,
)
from snorq_desktop.boot.logs import configure_logging
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.store.migrate import schema_status
from snorq_desktop.sync.connection_work import PassReport

log = logging.getLogger("snorq_desktop")

EXIT_KNOWN_ERROR = 1
EXIT_USAGE = 2
EXIT_BUG = 70


def _global_options(parser: argparse.ArgumentParser, *, after_command: bool) -> None:
    """The options every command takes, before the command or after it.

    After it (a command's own parser) they default to SUPPRESS, so a command that
    is not given them keeps what was given before the command."""
    unset = argparse.SUPPRESS if after_command else None
    parser.add_argument(
        "--database-url",
        metavar="URL",
        default=unset,
        help="a team PostgreSQL database (default: SNORQ_DATABASE_URL, the settings, "
        "else the built-in database)",
    )
    parser.add_argument(
        "--listen-url",
        metavar="URL",
        default=unset,
        help="where to hear the team's changes live when --database-url goes through a "
        "pooler such as PgBouncer (default: SNORQ_LISTEN_URL, the settings, else the "
        "database URL)",
    )
    parser.add_argument(
        "--home",
        metavar="DIR",
        default=unset,
        help="keep every file the app writes under DIR (default: SNORQ_HOME, else the "
        "usual places of this OS)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS if after_command else False,
        help="log in detail",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="snorq-desktop",
        description="SNORQ Desktop: TikTok, WhatsApp and Messenger conversations in one inbox.",
        epilog="--database-url, --home and --verbose may come before or after the command. "
        "The window's look follows the system; to choose one of Qt's styles, add "
        "-style NAME (e.g. -style Fusion).",
    )
    parser.add_argument("--version", action="version", version=f"snorq-desktop {__version__}")
    _global_options(parser, after_command=False)
    shared = argparse.ArgumentParser(add_help=False)
    _global_options(shared, after_command=True)

    def add_parser(
        group: "argparse._SubParsersAction[argparse.ArgumentParser]", name: str, **options: Any
    ) -> argparse.ArgumentParser:
        return group.add_parser(name, parents=[shared], **options)

    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the window on a separate demo database with sample conversations",
    )
    parser.add_argument(
        "--quit-after",
        metavar="SECONDS",
        type=float,
        default=0,
        help="close the window after SECONDS (for scripts and smoke tests)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = add_parser(commands, "db", help="the database schema")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    add_parser(db_commands, "upgrade", help="apply this version's migrations")
    add_parser(db_commands, "status", help="show which migrations the database has")

    relay = add_parser(
        commands, "relay", help="run the webhook relay for Meta and TikTok next to a team database"
    )
    relay.add_argument("--host", default="127.0.0.1", help="address to listen on")
    relay.add_argument("--port", type=int, default=8080, help="port to listen on")
    relay.add_argument(
        "--api-database-url",
        metavar="URL",
        help="serve the REST API at /api/v1 too, logging in as the API's own database "
        "login, snorq_api (default: SNORQ_API_DATABASE_URL; unset: no API)",
    )

    sync = add_parser(
        commands, "sync", help="store what has arrived (webhook events received by the relay)"
    )
    how_long = sync.add_mutually_exclusive_group(required=True)
    how_long.add_argument("--once", action="store_true", help="one pass, then exit")
    how_long.add_argument(
        "--forever",
        action="store_true",
        help="pass after pass until stopped (the server's sender: replies made through the "
        "API go out with no window open)",
    )
    sync.add_argument(
        "--every",
        type=seconds_above_zero,
        default=None,
        metavar="SECONDS",
        help="with --forever: the pause between passes (default 5)",
    )

    login = add_parser(commands, "login", help="sign in with Google in the system browser")
    login.add_argument(
        "--timeout",
        type=seconds_above_zero,
        default=300,
        metavar="SECONDS",
        help="give up after SECONDS (default 300)",
    )
    add_parser(commands, "logout", help="sign out: forget the Google sign-in on this computer")
    join = add_parser(commands, "join", help="join a team with an invite code")
    join.add_argument("code", help="the invite code you were given")
    join.add_argument("--db-user", default="", help="the team database user (default: the code's)")

    from snorq_desktop.boot.team_commands import add_team_commands

    add_team_commands(commands, add_parser)

    from snorq_desktop.boot.plan_commands import add_plan_commands

    add_plan_commands(commands, add_parser)

    from snorq_desktop.boot.api_key_commands import add_api_key_commands

    add_api_key_commands(commands, add_parser)

    keys = add_parser(commands, "keys", help="the key that seals platform tokens")
    key_commands = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    rotate = add_parser(key_commands, "rotate", help="seal every stored token with a new key")
    rotate.add_argument(
        "--allow-key-file",
        action="store_true",
        help="with no system keychain, keep the key in a file readable only by you",
    )
    return parser


def _db_upgrade(settings: Settings, paths: AppPaths, _: argparse.Namespace) -> int:
    with open_database(settings, paths, migrate=True) as database:
        status = schema_status(database.engine)
    print(f"{database.where} is at schema {status.current} (the newest this app knows).")
    return 0


def _as_typed(arguments: argparse.Namespace, command: str) -> str:
    """``command`` with the options this one was given, so the advice works as written."""
    words = ["snorq-desktop", *command.split()]
    if arguments.database_url:
        words += ["--database-url", arguments.database_url]
    if arguments.home:
        words += ["--home", arguments.home]
    return shlex.join(words)


def _db_status(settings: Settings, paths: AppPaths, arguments: argparse.Namespace) -> int:
    with open_database(settings, paths, migrate=False, check_schema=False) as database:
        status = schema_status(database.engine)
    print(f"database: {database.where}")
    print(f"schema:   {status.current or 'empty (never migrated)'}")
    print(f"newest this app knows: {status.head}")
    if status.newer_than_app:
        print("state:    newer than this app: update SNORQ Desktop before using this database")
        return EXIT_KNOWN_ERROR
    if status.pending:
        print(f"state:    {len(status.pending)} migration(s) to apply: {', '.join(status.pending)}")
        print(f"          run `{_as_typed(arguments, 'db upgrade')}`")
    else:
        print("state:    up to date")
    return 0


def _keys_rotate(settings: Settings, paths: AppPaths, arguments: argparse.Namespace) -> int:
    if arguments.allow_key_file:
        settings = replace(settings, allow_key_file=True)
    store = token_key_store(settings, paths)
    with open_database(settings, paths, migrate=False) as database:
        from snorq_desktop.boot.team_commands import signed_in_organizations

        # The signed-in person's organisations only; nobody signed in: what this
        # login sees (a member's login sees only its own organisations anyway).
        mine = signed_in_organizations(settings, paths, database)
        result = rotate_token_key(database, store, mine)
    print(
        f"Token key k{result.new_version} now seals the tokens of {result.connections} "
        f"connection(s); it is kept in {store.where}."
    )
    return 0


def _relay(settings: Settings, paths: AppPaths, arguments: argparse.Namespace) -> int:
    if not settings.database_url:
        raise KnownError(
            "The relay stores webhooks in the team database: give --database-url or "
            "SNORQ_DATABASE_URL."
        )
    import uvicorn  # loaded only for the relay

    from snorq_desktop.relay.app import RelaySecrets, build_relay

    secrets = RelaySecrets(
        meta_verify_token=os.environ.get("SNORQ_META_VERIFY_TOKEN"),
        meta_app_secret=os.environ.get("SNORQ_META_APP_SECRET"),
        tiktok_app_secret=os.environ.get("SNORQ_TIKTOK_APP_SECRET"),
    )
    api_url = getattr(arguments, "api_database_url", None) or os.environ.get(
        "SNORQ_API_DATABASE_URL"
    )
    if not (secrets.meta_app_secret or secrets.tiktok_app_secret or api_url):
        raise KnownError(
            "Set SNORQ_META_APP_SECRET and/or SNORQ_TIKTOK_APP_SECRET: without them the relay "
            "cannot tell real webhooks from forged ones."
        )
    with open_database(settings, paths, migrate=False) as database, api_login(api_url) as api:
        app = build_relay(database.sessions, secrets, api=api)
        served = " and the API at /api/v1" if api is not None else ""
        print(
            f"relay listening on http://{arguments.host}:{arguments.port}{served} "
            f"for {database.where}"
        )
        uvicorn.run(
            app,
            host=arguments.host,
            port=arguments.port,
            log_level="info",
            # An idle connection closes after 5 s, request headers past 16 kB are
            # refused, and at most 100 requests are in hand at once: slow or
            # endless clients cannot hold the relay's memory or sockets.
            timeout_keep_alive=5,
            h11_max_incomplete_event_size=16 * 1024,
            limit_concurrency=100,
        )
    return 0


def seconds_above_zero(given: str) -> float:
    """An option's number of seconds: finite and above 0 (argparse says so)."""
    try:
        seconds = float(given)
    except ValueError:
        seconds = math.nan
    if not (0 < seconds < math.inf):
        raise argparse.ArgumentTypeError(f"{given!r} is not a number of seconds above 0")
    return seconds


def _sync(settings: Settings, paths: AppPaths, arguments: argparse.Namespace) -> int:
    if arguments.forever:
        every = 5.0 if arguments.every is None else arguments.every
        with open_database(settings, paths, migrate=False) as database:
            print(f"Syncing every {every:g} s with {database.where}; Ctrl+C stops.")
            run_sync_forever(database, settings, paths, every=every, after_pass=_said_after_pass)
        return 0
    if arguments.every is not None:
        raise KnownError("--every is the pause between passes: it goes with --forever.")
    with open_database(settings, paths, migrate=False) as database:
        report = run_sync_pass(database, settings, paths)
    print(
        f"Stored {report.stored} new message(s) ({report.webhook_events} webhook event(s)), "
        f"sent {report.sent} repl{'y' if report.sent == 1 else 'ies'}, "
        f"{report.failed} refused; {report.connections} connection(s)"
        + (f", {report.skipped_locked} worked by another app" if report.skipped_locked else "")
        + "."
    )
    if report.unrouted:
        print(
            f"  {report.unrouted} webhook event(s) named an account no organisation has connected."
        )
    for problem in report.errors:
        print(f"  {problem}")
    return 0


def _said_after_pass(report: PassReport) -> None:
    if report.stored or report.sent or report.failed or report.errors:
        print(
            f"Stored {report.stored}, sent {report.sent}, {report.failed} refused"
            + "".join(f"; {problem}" for problem in report.errors),
            flush=True,
        )


def _window(
    load_settings: Callable[[], Settings], paths: AppPaths, arguments: argparse.Namespace
) -> int:
    # Qt loads only for the window, so `db` and `keys` stay quick and headless.
    try:
        from snorq_desktop.boot.startup import start_window
    except ImportError as missing:
        # qasync says "No Qt implementations found" without naming a module.
        window_only = ("PySide6", "shiboken6", "qasync")
        name = missing.name or ("qasync" if "Qt" in str(missing) else "")
        if name.split(".")[0] not in window_only:
            raise
        raise KnownError(
            "This installation has no window (it is the relay, snorq-relay, without Qt): "
            "install the app with `pip install snorq-desktop`."
        ) from None

    # The settings are read under the window: a broken file is shown there too.
    return start_window(
        load_settings,
        paths,
        demo=arguments.demo,
        quit_after_ms=int(arguments.quit_after * 1000),
        style=arguments.style,
    )


_COMMANDS: dict[tuple[str, str], Callable[[Settings, AppPaths, argparse.Namespace], int]] = {
    ("db", "upgrade"): _db_upgrade,
    ("db", "status"): _db_status,
    ("keys", "rotate"): _keys_rotate,
}


def split_qt_style(argv: Sequence[str]) -> tuple[list[str], str | None]:
    """Qt's own ``-style NAME`` (also ``-style=NAME``, ``--style NAME``), taken out
    before argparse, which would read ``-style`` as ``-s -t -y -l -e``."""
    rest: list[str] = []
    style = None
    words = iter(argv)
    for word in words:
        name, equals, value = word.partition("=")
        if name in ("-style", "--style"):
            style = value if equals else next(words, "")
            if not style:
                raise KnownError("-style needs the name of a Qt style, e.g. -style Fusion.")
        else:
            rest.append(word)
    return rest, style


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        words, style = split_qt_style(sys.argv[1:] if argv is None else argv)
    except KnownError as error:
        parser.error(error.sentence)
    arguments = parser.parse_args(words)
    arguments.style = style
    for option, given in (
        ("--database-url", arguments.database_url),
        ("--listen-url", arguments.listen_url),
    ):
        if given is not None and not given.strip():
            # `--database-url "$URL"` with $URL unset: never the built-in database instead.
            parser.error(
                f"{option} is empty: give a postgresql://… address, or leave the option out."
            )
    paths = AppPaths.resolve(arguments.home)
    try:
        paths.create()
        configure_logging(paths.log_file, verbose=arguments.verbose)

        def load_settings() -> Settings:
            settings = Settings.load(paths.settings_file)
            if arguments.database_url:
                settings = replace(settings, database_url=arguments.database_url)
            if arguments.listen_url:
                settings = replace(settings, listen_url=arguments.listen_url)
            return settings

        if arguments.command is None:
            return _window(load_settings, paths, arguments)
        settings = load_settings()
        if arguments.command == "relay":
            return _relay(settings, paths, arguments)
        if arguments.command == "sync":
            return _sync(settings, paths, arguments)
        if arguments.command == "team":
            from snorq_desktop.boot import team_commands

            return team_commands.run(settings, paths, arguments)
        if arguments.command == "plan":
            from snorq_desktop.boot import plan_commands

            return plan_commands.run(settings, paths, arguments)

        if arguments.command in ("api-key", "webhook"):
            from snorq_desktop.boot import api_key_commands

            return api_key_commands.run(settings, paths, arguments)
        if arguments.command in ("login", "logout", "join"):
            from snorq_desktop.boot import account_commands

            return account_commands.run(arguments.command, settings, paths, arguments)
        action = getattr(arguments, f"{arguments.command}_command")
        return _COMMANDS[(arguments.command, action)](settings, paths, arguments)
    except KnownError as error:
        log.warning("%s", error.sentence)
        print(f"snorq-desktop: {error.sentence}", file=sys.stderr)
        return EXIT_KNOWN_ERROR
    except OSError as error:
        log.exception("file system error")
        print(f"snorq-desktop: {error.strerror or error} ({error.filename or ''})", file=sys.stderr)
        return EXIT_KNOWN_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception:
        log.exception("unexpected error")
        print(
            f"snorq-desktop: an unexpected error stopped this command; details are in "
            f"{paths.log_file}",
            file=sys.stderr,
        )
        return EXIT_BUG
