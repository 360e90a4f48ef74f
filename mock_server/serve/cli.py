"""``freddy-mock``: start the mock. A bad flag or fixture file: one line on stderr, exit 2.

argparse only parses; every rule about the values is :meth:`MockConfig.validate`'s, the
same check a config built in code gets."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from aiohttp import web

from api_contract.contract import ContractError
from api_contract.keys import mask_key
from api_contract.resources import default_fixtures_dir, default_spec_path
from api_contract.yaml_input import bounded
from mock_server import __version__
from mock_server.config import ConfigError, MockConfig, QaConfig, exposure_warnings
from mock_server.foundation.clock import parse_instant
from mock_server.foundation.fixtures import FixtureError
from mock_server.foundation.syntax import host_name, origin, parse_duration, url_host
from mock_server.foundation.tenants import MAX_TENANTS
from mock_server.qa.scenario_files import ScenarioError
from mock_server.runtime.base import StateError
from mock_server.serve import coverage_stop
from mock_server.serve.app import build_parts, create_app
from mock_server.serve.proxy_cli import (
    add_proxy_arguments,
    banner,
    check_record_dir,
    proxy_config_from_args,
)
from mock_server.serve.server import new_event_loop, raise_file_limit, serve
from mock_server.serve.workers import run_workers

PROG = "freddy-mock"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _key_pair(text: str) -> tuple[str, str]:
    key, sep, org = text.partition("=")
    if not sep or not key.strip() or not org.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=ORG, got {mask_key(text)!r}")
    return key.strip(), org.strip()


def _instant(text: str):
    try:
        return parse_instant(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 instant: {text!r}") from None


def _checked(parse: Callable[[str], str]) -> Callable[[str], str]:
    def check(text: str) -> str:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return check


def _tenants(text: str) -> int:
    if not text.isdigit():  # (the range is MockConfig.validate()'s)
        raise argparse.ArgumentTypeError(f"not a tenant count (0-{MAX_TENANTS}): {text[:20]!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Spec-driven mock of the Freddy API-key usage summary.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 = any free)")
    p.add_argument("--spec", type=Path, default=None, help="OpenAPI spec (default: bundled)")
    p.add_argument("--fixtures", type=Path, default=None, metavar="DIR",
                   help="fixtures directory with keys.yaml [and summaries.yaml]")
    p.add_argument("--seed", type=int, default=0, help="data seed (default 0)")
    p.add_argument("--now", type=_instant, default=None, metavar="ISO-8601",
                   help="freeze the clock at this instant, e.g. 2025-11-15T10:30:00Z")
    p.add_argument("--key", type=_key_pair, action="append", default=[], metavar="KEY=ORG",
                   help="add an API key for an organization (repeatable)")
    p.add_argument("--tenants", type=_tenants, default=0, metavar="N",
                   help="add N generated organizations with keys (realistic names, stable "
                        "for a --seed; listed in /docs)")
    p.add_argument("--workers", type=int, default=1,
                   help="serve with N processes on one port (SO_REUSEPORT; default 1)")
    p.add_argument("--state", default=os.environ.get("FREDDY_STATE", "memory"),
                   metavar="URL", help="where the runtime state (active scenarios, settings, "
                   "counters, journal) lives: memory (default; with --workers N the workers "
                   "share an SQLite file instead) or redis://HOST:PORT/DB, shared by every "
                   "process on every host naming it (default $FREDDY_STATE)")
    p.add_argument("--access-log", action="store_true", help="log every request (keys masked)")
    p.add_argument("--cors-allow-header", action="append", default=None, metavar="NAME",
                   help="allow only the API's own headers plus NAME in CORS preflights "
                        "(repeatable; default: grant every requested header)")
    p.add_argument("--expose", action="store_true",
                   help="allow binding to a non-loopback address (prints a warning; needs "
                        "--allowed-host)")
    p.add_argument("--allowed-host", type=_checked(host_name), action="append", default=[],
                   metavar="NAME", dest="allowed_hosts",
                   help="also answer requests whose Host is NAME, any port (repeatable; "
                        "'.example.com' adds its subdomains; '*' any Host, with a warning). "
                        "Loopback names are always answered, others get a 421")
    add_limit_arguments(p)
    add_qa_arguments(p)
    add_proxy_arguments(p)
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return p


def add_limit_arguments(p: argparse.ArgumentParser) -> None:
    d = MockConfig()
    g = p.add_argument_group("bounded resources (per process; docs/hostile-input.md)")
    g.add_argument("--max-connections", type=int, default=d.max_connections, metavar="N",
                   help=f"open connections; one more gets 503 (default {d.max_connections})")
    g.add_argument("--max-delayed", type=int, default=d.max_delayed, metavar="N",
                   help="requests held by a delay or a stall at once; one more gets 503 "
                        f"(default {d.max_delayed})")
    g.add_argument("--header-timeout", type=float, default=d.header_timeout, metavar="S",
                   help="seconds a started request head may take; then 408 "
                        f"(default {d.header_timeout:g})")
    g.add_argument("--idle-timeout", type=float, default=d.idle_timeout, metavar="S",
                   help=f"seconds a connection may sit idle (default {d.idle_timeout:g})")


def add_qa_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("QA scenarios and runtime control")
    g.add_argument("--scenarios", action="append", default=[], metavar="FILE|NAME",
                   help="load a scenario file, or name a built-in one, active from the "
                        "start (repeatable)")
    g.add_argument("--watch", action="store_true",
                   help="reload the --scenarios files when they change")
    g.add_argument("--rate-limit", default=None, metavar="N/min",
                   help="limit requests per organization, e.g. 100/min (the vendor's limit)")
    g.add_argument("--admin", action="store_true",
                   help="enable the admin API and request journal under /__mock/")
    g.add_argument("--admin-token", default=os.environ.get("FREDDY_MOCK_ADMIN_TOKEN"),
                   metavar="TOKEN", help="require 'Authorization: Bearer TOKEN' on /__mock/ "
                   "(default $FREDDY_MOCK_ADMIN_TOKEN; required off loopback)")
    g.add_argument("--admin-cors", type=_checked(origin), action="append", default=[],
                   metavar="ORIGIN", help="let a page on ORIGIN (e.g. http://localhost:3000) "
                   "call the admin API; it is same-origin only otherwise (repeatable)")
    g.add_argument("--journal-size", type=int, default=1000, metavar="N",
                   help="requests the journal keeps (default 1000; 0 = off)")
    coverage_stop.add_arguments(g)
    g.add_argument("--session-ttl", type=_checked(parse_duration), default=1800.0,
                   metavar="TIME", help="a session (X-Mock-Session) ends after this long "
                   "unused, e.g. 90s, 30m, 2h (default 30m)")
    g.add_argument("--max-sessions", type=int, default=10_000, metavar="N",
                   help="sessions kept at once; a new one beyond gets 503 (default 10000)")


def qa_config_from_args(args: argparse.Namespace) -> QaConfig:
    return QaConfig(
        scenarios=tuple(args.scenarios),
        watch=args.watch,
        rate_limit=args.rate_limit,
        admin=args.admin,
        admin_token=args.admin_token or None,
        admin_cors=tuple(args.admin_cors),
        journal_size=args.journal_size,
        coverage_report=args.coverage_report,
        coverage_require=args.coverage_require,
        session_ttl=args.session_ttl,
        max_sessions=args.max_sessions,
    )


# MockConfig fields whose flag gives the value as it is (--max-connections: max_connections).
SAME_NAMES = ("host", "port", "seed", "now", "tenants", "access_log", "expose", "workers",
              "state", "max_connections", "max_delayed", "header_timeout", "idle_timeout")


def config_from_args(args: argparse.Namespace) -> MockConfig:
    """The config the flags describe, validated (raises :class:`ConfigError`)."""
    try:
        proxy = proxy_config_from_args(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    config = MockConfig(
        **{name: getattr(args, name) for name in SAME_NAMES},
        spec_path=args.spec or default_spec_path(),
        fixtures_dir=args.fixtures or default_fixtures_dir(),
        keys=tuple(args.key),
        allowed_hosts=tuple(args.allowed_hosts),
        cors_allow_headers=None if args.cors_allow_header is None
        else tuple(args.cors_allow_header),
        qa=qa_config_from_args(args),
        proxy=proxy,
    )
    config.validate()
    try:
        check_record_dir(config)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return config


def startup_notes(config: MockConfig, origin: str) -> str:
    """The lines after "listening on": where the pages are, which fixtures are in use."""
    lines = [f"  docs: {origin}/docs"]
    if config.qa.admin:
        lines.append(f"  control page: {origin}/__mock/ui")
    lines.append(f"  fixtures: {config.fixtures_dir}")
    local = Path.cwd() / "fixtures"
    if (config.fixtures_dir.resolve() == default_fixtures_dir().resolve()
            and local.resolve() != config.fixtures_dir.resolve()
            and (local / "keys.yaml").is_file()):
        # A clone with a plain `pip install .` reads the copy in site-packages: edits to the
        # clone's fixtures/ would be silently ignored, so say how to use them.
        lines.append(f"  note: ./fixtures is not used (the installed copy is); "
                     f"pass --fixtures {local} to serve it")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        config = config_from_args(args)
        parts = build_parts(config)
        problem = coverage_stop.unknown_required(parts)
        if problem:
            raise UsageError(problem)
    except (UsageError, ConfigError, ContractError, FixtureError, ScenarioError,
            StateError) as exc:
        print(f"{PROG}: error: {bounded(str(exc))}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    raise_file_limit()  # before the workers fork: they inherit it
    for warning in exposure_warnings(config):
        print(f"{PROG}: WARNING: {warning}", file=sys.stderr)

    def ready(port: int) -> None:
        origin = f"http://{url_host(config.host)}:{port}"
        generated = {t.org for t in parts.tenants}  # (their orgs are theirs alone)
        keys = ", ".join(f"{e.masked} -> {e.org}" for e in parts.auth.store.entries()
                         if e.org not in generated)
        if generated:
            keys += f"; {len(generated)} generated tenants, listed in /docs"
        about = banner(config) or f"keys: {keys}"
        print(f"{PROG} listening on {origin}{parts.contract.base_path}  ({about})")
        print(startup_notes(config, origin), flush=True)

    async def run() -> None:
        await serve(create_app(parts=parts), config.host, config.port, stop=asyncio.Event(),
                    on_ready=ready, access_log=config.access_log, handle_signals=True)

    try:
        if args.workers > 1:
            def worker_app(index: int) -> web.Application:  # in the worker, after the fork
                parts.qa.reseed(config.seed, index)
                return create_app(parts=parts)

            return coverage_stop.stopped(parts, PROG, run_workers(
                worker_app, config.host, config.port, args.workers, ready,
                access_log=config.access_log))
        with asyncio.Runner(loop_factory=new_event_loop) as runner:
            runner.run(run())
        return coverage_stop.stopped(parts, PROG)
    except OSError as exc:
        print(f"{PROG}: error: cannot listen on {config.host}:{config.port}: {exc.strerror}",
              file=sys.stderr)
        return 2
    except StateError as exc:  # Redis went away between the check and the start
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
