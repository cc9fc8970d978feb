"""`central`: serve, migrate, create-user, seed-demo, bump-epoch, prune."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Sequence

from central.settings import Settings

DEFAULT_PORT = 8700


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(database_url=args.database_url)


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    from central.data.engine import create_database_engine

    return create_database_engine(settings.database_url, pool_size=2)


def cmd_serve(args: argparse.Namespace) -> int:
    from central.server import serve

    settings = _settings(args)
    if args.migrate:
        settings = settings.with_(auto_migrate=True)
    serve(settings, args.host, args.port, args.workers)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from central.migrate import head_revision, upgrade
    from central.seed import seed_reference_data

    engine = _engine(_settings(args))
    upgrade(engine)
    loaded = seed_reference_data(engine)
    engine.dispose()
    print(f"schema at revision {head_revision()}" + ("; reference data loaded" if loaded else ""))
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise SystemExit("the passwords differ")
    return first


def cmd_create_user(args: argparse.Namespace) -> int:
    from central.app import build_services
    from central.directory import NewAccount
    from central.errors import ApiError
    from operator_app.domain.model import Role

    services = build_services(_settings(args))
    try:
        account = services.directory.create_account(
            NewAccount(
                username=args.username,
                display_name=args.display_name or args.username,
                role=Role(args.role),
                password=_read_password(args.password_stdin),
                centres=frozenset(args.centre),
                teams=frozenset(args.team),
                primary_team=args.primary_team or (args.team[0] if args.team else None),
            )
        )
    except ApiError as exc:
        print(f"refused: {exc.message} {exc.details}", file=sys.stderr)
        return 1
    finally:
        services.engine.dispose()
    print(f"created {account.role.value} {account.username} ({account.id})")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from central.migrate import is_current
    from central.seed import seed_demo

    settings = _settings(args)
    engine = _engine(settings)
    if not is_current(engine):
        print("run `central migrate` first", file=sys.stderr)
        return 1

    def progress(done: int) -> None:
        if done % 10_000 == 0 or done == args.cases:
            print(f"  {done} cases", flush=True)

    seeded = seed_demo(engine, args.cases, settings=settings, progress=progress)
    engine.dispose()
    print("demo data seeded" if seeded else "the demo data was already there")
    return 0


def cmd_bump_epoch(args: argparse.Namespace) -> int:
    from central.data import meta
    from central.data.engine import write_transaction

    engine = _engine(_settings(args))
    with write_transaction(engine) as conn:
        epoch = meta.bump_epoch(conn)
    engine.dispose()
    print(f"epoch is now {epoch}: every desk will re-sync and replay its pending work")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    from central.retention import prune

    settings = _settings(args)
    engine = _engine(settings)
    horizon = prune(engine, settings.change_retention_days)
    engine.dispose()
    print(f"change log kept after sequence {horizon}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="central", description=__doc__)
    parser.add_argument(
        "--database-url",
        help="SQLAlchemy URL (default: CENTRAL_DATABASE_URL or sqlite:///central.db)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service")
    serve.add_argument("--database-url", dest="database_url", default=argparse.SUPPRESS)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--migrate", action="store_true", help="migrate the schema at start")
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser("migrate", help="upgrade the schema, load reference data")
    migrate.set_defaults(func=cmd_migrate)

    create = commands.add_parser("create-user", help="create an account (asks for the password)")
    create.add_argument("username")
    create.add_argument(
        "--role", required=True, choices=["operator", "supervisor", "admin", "auditor"]
    )
    create.add_argument("--centre", action="append", default=[], help="repeat for several")
    create.add_argument("--team", action="append", default=[], help="repeat for several")
    create.add_argument("--primary-team")
    create.add_argument("--display-name")
    create.add_argument("--password-stdin", action="store_true", help="read one line from stdin")
    create.set_defaults(func=cmd_create_user)

    seed = commands.add_parser("seed-demo", help="seed the demo directory, citizens and cases")
    seed.add_argument("--cases", type=int, default=2000)
    seed.set_defaults(func=cmd_seed_demo)

    bump = commands.add_parser("bump-epoch", help="after restoring the database from a backup")
    bump.set_defaults(func=cmd_bump_epoch)

    prune = commands.add_parser("prune", help="drop change-log entries past retention")
    prune.set_defaults(func=cmd_prune)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
