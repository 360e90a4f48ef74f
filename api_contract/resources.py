"""Where the bundled spec and fixtures live, in a source checkout and in an installed wheel.

The fixtures (keys, their organizations, canned summaries) are the contract's sample
tenants: the mock serves them and the kit's default run uses them.
"""

from __future__ import annotations

from pathlib import Path

import yaml

# libyaml's loader where PyYAML was built with it: parsing the spec, fixtures and the
# built-in scenarios is most of the start-up otherwise (0.17 s of 0.25 s here).
YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_HERE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """Path of a bundled data directory (``spec``, ``fixtures`` or ``docs``).

    A wheel carries them under ``api_contract/_data/``; a source checkout (and an editable
    install) has them at the repository root.
    """
    for candidate in (_HERE / "_data" / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled {name!r} directory not found next to {_HERE}")


def default_spec_path() -> Path:
    return bundled("spec") / "openapi.yaml"


def default_fixtures_dir() -> Path:
    return bundled("fixtures")


def is_bundled(path: Path) -> bool:
    """Is ``path`` the bundled spec, the bundled fixtures or a file in them (built-in
    scenarios)? Those are validated by the test suite
    (tests/mock_server/serve/test_startup.py), so the loaders skip their JSON Schema checks,
    which keeps jsonschema out of start-up. Only the installed wheel's copy counts: nobody
    edits an installed package, but the same files in a source checkout (or an editable
    install) are files a user edits, validated like any other, so a bad edit is one line
    and exit 2 rather than a crash at the first request."""
    if not (_HERE / "_data").is_dir():
        return False  # a source checkout: nothing is trusted
    try:
        resolved = Path(path).resolve()
        fixtures = default_fixtures_dir().resolve()
        return resolved == default_spec_path().resolve() or resolved.is_relative_to(fixtures)
    except OSError:
        return False
