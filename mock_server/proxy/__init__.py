"""``freddy-mock --proxy UPSTREAM``: the summary route forwarded to a real implementation,
every exchange checked against the contract by the registry the kit uses
(:mod:`api_contract.verdicts`), violations shown to the client, the log, the journal and the
control page; ``--strict`` turns a violating answer into a 502, ``--record DIR`` keeps the
good answers as fixtures. Sits above ``engine`` (it answers forced requests as the mock
does) and below ``control`` (which shows what it found)."""
