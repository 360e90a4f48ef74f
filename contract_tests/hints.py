"""Hints for the mistakes users make when pointing the kit at a server.

``--base-url https://host`` instead of ``https://host/v1`` makes every check fail with a
404 and says nothing about why; one probe of the summary route with and without the spec's
base path (``servers[0].url``'s path) tells the two apart.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from api_contract.contract import Contract
from contract_tests.config import KitConfig
from contract_tests.transport import Client, Request


def _status(client: Client, contract: Contract, config: KitConfig) -> int | None:
    path = contract.path_template.replace("{" + contract.path_param + "}",
                                          quote(config.org_id, safe=""))
    request = Request("GET", client.url(path), ((contract.key_headers[0], config.api_key),),
                      (config.api_key,), own_key=config.api_key)
    try:
        exchange = client.send(request, config.api_key)
    finally:
        client.close()
    return exchange.reply.status if exchange.reply is not None else None


def base_path_hint(config: KitConfig, contract: Contract) -> str | None:
    """"no route at …: did you mean --base-url …/v1?" when that is the mistake, else None."""
    base_path = contract.base_path
    given = config.base_url.rstrip("/")
    if not base_path or urlsplit(given).path.rstrip("/").endswith(base_path):
        return None
    if _status(Client(given, config.timeout), contract, config) != 404:
        return None
    fixed = given + base_path
    if _status(Client(fixed, config.timeout), contract, config) in (None, 404):
        return None
    return (f"no route at {given}{contract.path_template} (404), but {fixed} answers: "
            f"did you mean --base-url {fixed}?")
