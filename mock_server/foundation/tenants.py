"""Generated tenants (``--tenants N``): extra organizations with realistic names and keys.

For org pickers, multi-tenant dashboards and load tests that need more than the fixtures'
two organizations. Each tenant is drawn by Faker seeded with ``(seed, index)`` only, so a
tenant is the same across restarts, processes and workers, and ``--tenants 5`` is the
first five of ``--tenants 50``. (Faker does not promise the same draws across its own
releases; a given Faker version always gives the same tenants.) Names are Swiss company
names (the vendor bills in CHF); ids and keys follow the fixtures' style (``org_abc123``,
``mock-key-...``). Their summaries come from the same seeded generator as any other org's.

Faker is imported only when tenants are asked for: it stays out of the mock's start-up.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass

MAX_TENANTS = 10_000  # generated organizations at most (MockConfig.validate checks it)
LOCALE = "de_CH"
_ID_CHARS = string.ascii_lowercase + string.digits


@dataclass(frozen=True, slots=True)
class Tenant:
    index: int  # 1-based: tenant 1 is the same for any N >= 1
    org: str  # e.g. "org_k3m9x2"
    name: str  # e.g. "Gasser & Söhne"
    key: str  # e.g. "mock-key-t1-5e0c9a7d41b2"


def make_tenants(count: int, seed: int, reserved: Iterable[str] = ()) -> tuple[Tenant, ...]:
    """``count`` tenants for ``seed``; their org ids avoid ``reserved`` (the fixtures')."""
    if not 0 <= count <= MAX_TENANTS:
        raise ValueError(f"tenant count must be 0-{MAX_TENANTS}, got {count}")
    if count == 0:
        return ()
    from faker import Faker

    fake = Faker(LOCALE)
    taken = set(reserved)
    tenants = []
    for index in range(1, count + 1):
        fake.seed_instance(f"freddy-mock tenant {seed}:{index}")  # per org, not per run
        name = fake.company()
        org = "org_" + fake.lexify("??????", letters=_ID_CHARS)
        while org in taken:  # rare; redrawn from the same seeded stream, so still stable
            org = "org_" + fake.lexify("??????", letters=_ID_CHARS)
        taken.add(org)
        # The index makes keys unique by construction; the hex makes them unguessable-ish.
        key = f"mock-key-t{index}-{fake.hexify('^' * 12)}"
        tenants.append(Tenant(index, org, name, key))
    return tuple(tenants)
