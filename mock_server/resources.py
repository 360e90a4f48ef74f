"""Where the bundled spec and fixtures live, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

import yaml

# libyaml's loader where PyYAML was built with it: parsing the spec, fixtures and the
# built-in scenarios is most of the start-up otherwise (0.17 s of 0.25 s here).
YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_HERE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """Path of a bundled data directory (``spec`` or ``fixtures``).

    A wheel carries them under ``mock_server/_data/``; a source checkout (and an editable
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
    """Is ``path`` the bundled spec or fixtures (checked by the test suite, so start-up
    need not validate them again)?"""
    try:
        resolved = Path(path).resolve()
        return resolved in (default_spec_path().resolve(), default_fixtures_dir().resolve())
    except (OSError, FileNotFoundError):
        return False
