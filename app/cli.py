"""`lpa-gateway`: serve, dev, migrate, grants, seed, import, token, export-schema, check-policy,
documents.

Every refusal (configuration, policy, keys, a database out of reach or missing a privilege,
data production will not serve) ends with one line on stderr and exit status 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.authz.keys import KeyConfigError
from app.authz.manifests import ManifestError, load_manifest, manifest_path
from app.authz.policy import PolicyError, load_policy
from app.authz.tokens import mint_dev_token
from app.bundled import SCHEMA_DIR
from app.db.connect_failure import describe
from app.db.grants import RoleNameError
from app.http.refused import StartupRefused
from app.http.tracing import TracingUnavailable
from app.settings import Settings, SettingsError

EXIT_CONFIG = 2
# On SIGTERM, `serve` stops accepting connections and lets requests in flight finish for up to
# this long (under the 30 s a container orchestrator usually waits before SIGKILL).
GRACEFUL_SHUTDOWN_SECONDS = 20
# On `kill -HUP` (several workers), how long a new worker may take to start before uvicorn
# gives up the reload and keeps the old workers; its own default (5 s) is short for a worker
# that builds every client's view on a busy host.
WORKER_START_SECONDS = 30
DEV_SUBS = {
    "opg.poas.makeregister": "urn:opg:poas:makeregister:users:00000000-0000-4000-8000-000000000001",
    "opg.poas.use": "urn:opg:poas:use:users:00000000-0000-4000-8000-000000000002",
    "opg.poas.sirius": "urn:opg:poas:sirius:users:00000000-0000-4000-8000-000000000003",
    "developer": "urn:opg:poas:graphiql:users:developer",
}


class CommandRefused(Exception):
    """The command cannot run in this environment or with these arguments."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace, Settings], int] = args.command
    settings = Settings()
    try:
        settings = Settings.from_env()
        return command(args, settings)
    except (
        SettingsError,
        KeyConfigError,
        PolicyError,
        ManifestError,
        CommandRefused,
        TracingUnavailable,
        StartupRefused,
        RoleNameError,
    ) as error:
        return _refuse(str(error))
    except Exception as error:
        about_database = describe(error, settings.database_url)
        if about_database is not None:
            return _refuse(about_database)
        if isinstance(error, OSError):
            return _refuse(error.strerror or str(error))
        raise


def _refuse(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_CONFIG


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lpa-gateway", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve with the settings in the environment")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(command=_serve)

    dev = sub.add_parser("dev", help="migrate, seed, print tokens and serve GraphiQL")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=8000)
    dev.set_defaults(command=_dev)

    sub.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(
        command=_migrate
    )

    grants = sub.add_parser("grants", help="print the SQL that sets up the database roles")
    grants.add_argument("--owner", required=True, help="the role that runs migrate and owns")
    grants.add_argument("--runtime", required=True, help="the role the gateway serves as")
    grants.add_argument(
        "--only",
        choices=["before-migrate", "after-migrate"],
        help="print one part: the roles (once per database) or the grants (after each migrate)",
    )
    grants.set_defaults(command=_grants)

    seed = sub.add_parser("seed", help="add the demo LPAs (development only)")
    seed.add_argument("--json", action="store_true", help="print the demo LPAs as JSON")
    seed.set_defaults(command=_seed)

    load = sub.add_parser("import", help="load LPAs in OPG's LPA store JSON, one a line")
    load.add_argument("file", type=Path, help="JSON Lines: one LPA store `lpa.json` a line")
    load.set_defaults(command=_import)

    token = sub.add_parser("token", help="print a development token (development only)")
    token.add_argument("--client", required=True)
    token.add_argument("--sub", required=True, help="the person acting, as a URN")
    token.set_defaults(command=_token)

    export = sub.add_parser("export-schema", help="write the SDL under schema/")
    export.add_argument("--out", type=Path, default=SCHEMA_DIR)
    export.set_defaults(command=_export_schema)

    sub.add_parser(
        "check-policy", help="fail unless the policy and the schema name the same things"
    ).set_defaults(command=_check_policy)

    documents = sub.add_parser("documents", help="the trusted documents of each client")
    documents_sub = documents.add_subparsers(required=True, metavar="ACTION")
    documents_sub.add_parser(
        "check", help="fail unless every trusted document passes its client's view and limits"
    ).set_defaults(command=_documents_check)
    add = documents_sub.add_parser("add", help="add a document to a client's manifest")
    add.add_argument("--client", required=True)
    add.add_argument("file", type=Path, help="the document, as the client will send it")
    add.set_defaults(command=_documents_add)
    return parser


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.authz.keys import load_key_ring
    from app.http.hosts import TrustedHosts
    from app.http.log_config import configure_logging
    from app.http.metrics import clear_multiprocess_dir
    from app.http.tracing import require_tracing

    # Fail here with one line, not in each worker's start-up with a traceback.
    clients = _active_clients(settings)
    load_key_ring(settings, clients)
    TrustedHosts.for_settings(settings)
    for client in clients:
        load_manifest(manifest_path(settings.documents_dir, client))
    require_tracing(settings)
    asyncio.run(_start_once(settings))
    clear_multiprocess_dir()
    uvicorn.run(
        "app.http.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        server_header=False,
        log_level="info",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        timeout_worker_healthcheck=WORKER_START_SECONDS,
        log_config=configure_logging(settings),
    )
    return 0


async def _start_once(settings: Settings) -> None:
    """Run the gateway's start-up and shut it down again: every start-up refusal (database,
    privileges, demo data, policy, GraphiQL) surfaces here as one exception."""
    from app.http.app import create_app

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        pass


def _dev(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.http.app import create_app
    from app.http.log_config import configure_logging
    from app.http.tracing import require_tracing

    _development_only(settings, "dev")
    require_tracing(settings)
    _migrate(args, settings)
    demos = asyncio.run(_seed_demo(settings))
    print("\nDemo LPAs:")
    for demo in demos:
        print(f"  {demo['uid']}  {demo['lpaType']:<22} {demo['status']}")
    print("\nDevelopment tokens (Authorization: Bearer <token>):")
    for client in _active_clients(settings):
        sub = DEV_SUBS.get(client, DEV_SUBS["developer"])
        print(f"\n  {client}\n  {mint_dev_token(settings, client, sub)}")
    url = f"http://{args.host}:{args.port}/graphql"
    print(f"\nGraphiQL: {url}   (choose a client with {url}?as=opg.poas.use)\n", flush=True)
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        server_header=False,
        log_config=configure_logging(settings),
    )
    return 0


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    from app.db.migrate import upgrade

    upgrade(settings.database_url)
    return 0


def _grants(args: argparse.Namespace, _settings: Settings) -> int:
    from app.db.grants import after_migrate_sql, before_migrate_sql

    roles = before_migrate_sql(args.owner, args.runtime)  # checks both names, whatever is printed
    parts = {
        "before-migrate": (
            "-- Once per database, as a superuser connected to it, before the first migrate.",
            roles,
        ),
        "after-migrate": (
            f"-- After every migrate, as {args.owner}: exactly what {args.runtime} needs.",
            after_migrate_sql(args.runtime),
        ),
    }
    chosen = [args.only] if args.only else list(parts)
    print("\n\n".join("\n".join([parts[c][0], *parts[c][1]]) for c in chosen))
    return 0


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    _development_only(settings, "seed")
    demos = asyncio.run(_seed_demo(settings))
    if args.json:
        print(json.dumps(demos, indent=2))
    else:
        for demo in demos:
            print(demo["uid"], demo["lpaType"], demo["status"])
    return 0


async def _seed_demo(settings: Settings) -> list[dict[str, Any]]:
    from app.db.demo import seed_demo
    from app.db.engine import create_engine

    engine = create_engine(settings)
    try:
        return await seed_demo(engine)
    finally:
        await engine.dispose()


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from app.import_command import ImportRefused, run

    try:
        return run(args.file, settings, sys.stdout, sys.stderr)
    except ImportRefused as error:
        raise CommandRefused(str(error)) from None


def _token(args: argparse.Namespace, settings: Settings) -> int:
    _development_only(settings, "token")
    if args.client not in _active_clients(settings):
        raise CommandRefused(f"unknown client {args.client!r}")
    try:
        print(mint_dev_token(settings, args.client, args.sub))
    except ValueError as error:
        raise CommandRefused(str(error)) from None
    return 0


def _export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from app.authz.contract import contract_files, unaccepted_breaking_changes
    from app.graphql.schema import build_schema

    files = contract_files(load_policy(settings.policy_dir), build_schema()._schema)
    breaking = unaccepted_breaking_changes(args.out, files)
    if breaking:
        print("\n".join(breaking))  # the list to review, on stdout; the refusal on stderr
        raise CommandRefused(
            f"{len(breaking)} unreviewed breaking change(s) against the committed SDL, listed "
            "above as <view file>: <change>; accept each, for its view, in "
            "schema/accepted-breaking-changes.toml once reviewed"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    for name, sdl in files.items():
        (args.out / name).write_text(sdl)
        print(f"wrote {args.out / name}")
    return 0


def _check_policy(_args: argparse.Namespace, settings: Settings) -> int:
    from app.authz.check import policy_problems
    from app.graphql.schema import build_schema

    policy = load_policy(settings.policy_dir)
    problems = policy_problems(policy, build_schema()._schema)
    if problems:
        print("\n".join(problems))  # the list to fix, on stdout; the refusal on stderr
        raise CommandRefused(f"the policy does not match the schema: {len(problems)} problem(s)")
    print(f"policy covers the schema: {len(policy.clients)} clients")
    return 0


def _documents_check(_args: argparse.Namespace, settings: Settings) -> int:
    from app.graphql.document_contract import document_problems
    from app.graphql.schema import build_schema

    policy = load_policy(settings.policy_dir)
    checked = document_problems(policy, build_schema()._schema, settings.documents_dir)
    for problem in checked.problems:
        print(problem, file=sys.stderr)
    if checked.problems:
        return 1
    print(f"{checked.documents} trusted documents pass their clients' views and limits")
    return 0


def _documents_add(args: argparse.Namespace, settings: Settings) -> int:
    from app.graphql.document_contract import DocumentRefused, add_document
    from app.graphql.schema import build_schema

    try:
        text = args.file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CommandRefused(f"{args.file} is not UTF-8 text") from None
    policy = load_policy(settings.policy_dir)
    try:
        added = add_document(
            policy, build_schema()._schema, settings.documents_dir, args.client, text
        )
    except DocumentRefused as error:
        raise CommandRefused(str(error)) from None
    print(added)
    return 0


def _active_clients(settings: Settings) -> list[str]:
    policy = load_policy(settings.policy_dir)
    return policy.active_clients(settings.env, settings.allow_developer_client)


def _development_only(settings: Settings, command: str) -> None:
    if settings.is_production:
        raise CommandRefused(f"'{command}' is for development only; production refuses it")


if __name__ == "__main__":
    raise SystemExit(main())
