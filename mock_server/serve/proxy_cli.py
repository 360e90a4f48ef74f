"""The validating proxy's flags: ``--proxy``, ``--proxy-timeout``, ``--strict``, ``--record``,
``--proxy-cors``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from api_contract.contract import ContractError, load_contract
from mock_server.config import MAX_PROXY_TIMEOUT, MockConfig, ProxyConfig
from mock_server.foundation.fixtures import FixtureError
from mock_server.foundation.syntax import origin
from mock_server.proxy.recorder import Recorder

DEFAULT_TIMEOUT = 10.0


def _origin(text: str) -> str:
    try:
        return origin(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_proxy_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("validating proxy (from the mock to the real server)")
    g.add_argument("--proxy", metavar="UPSTREAM", default=None,
                   help="forward the API to UPSTREAM (its base URL with the version prefix, "
                        "e.g. https://staging.example/v1) and check every exchange against "
                        "the contract")
    g.add_argument("--proxy-timeout", type=float, default=None, metavar="SECONDS",
                   help=f"with --proxy: the upstream's whole answer within SECONDS, else 504 "
                        f"(0-{MAX_PROXY_TIMEOUT}]; default {DEFAULT_TIMEOUT:g})")
    g.add_argument("--strict", action="store_true",
                   help="with --proxy: answer 502 instead of an answer that breaks the contract")
    g.add_argument("--proxy-cors", type=_origin, action="append", default=[], metavar="ORIGIN",
                   help="with --proxy: a web origin (besides loopback ones) whose pages may "
                        "read the proxy's answers (repeatable; docs/security.md)")
    g.add_argument("--record", type=Path, default=None, metavar="DIR",
                   help="with --proxy: write every good 200 to DIR/summaries.yaml (made-up "
                        "keys to DIR/keys.yaml) for --fixtures DIR")


def proxy_config_from_args(args: argparse.Namespace) -> ProxyConfig | None:
    """Raises ValueError with the one line to show (the flags' own rules; the config's are
    MockConfig.validate's)."""
    if args.proxy is None:
        given = [f for f, on in (("--strict", args.strict), ("--record", args.record),
                                 ("--proxy-timeout", args.proxy_timeout is not None),
                                 ("--proxy-cors", args.proxy_cors)) if on]
        if given:
            raise ValueError(f"{given[0]} needs --proxy UPSTREAM")
        return None
    timeout = DEFAULT_TIMEOUT if args.proxy_timeout is None else args.proxy_timeout
    return ProxyConfig(upstream=args.proxy.rstrip("/"), timeout=timeout, strict=args.strict,
                       record_dir=args.record, cors_origins=tuple(args.proxy_cors))


def check_record_dir(config: MockConfig) -> None:
    """``--record DIR`` can be created and read (a question for the file system, asked once
    the config is valid). Raises ValueError."""
    directory = config.proxy.record_dir if config.proxy is not None else None
    if directory is None:
        return
    try:
        # creates it, reads and checks what is there, as --fixtures DIR would
        Recorder(directory, "", contract=load_contract(config.spec_path))
    except (OSError, FixtureError, ContractError) as exc:
        why = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise ValueError(f"--record {directory}: cannot use it ({why})") from None
    if not os.access(directory, os.W_OK):
        raise ValueError(f"--record {directory}: not writable")


def banner(config: MockConfig) -> str | None:
    """What the start-up line says about the proxy, or None without --proxy."""
    px = config.proxy
    if px is None:
        return None
    extra = (", strict" if px.strict else "") + (
        f", recording to {px.record_dir}" if px.record_dir else "")
    return f"proxy to {px.upstream}, every exchange checked against the contract{extra}"
