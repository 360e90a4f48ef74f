"""The contract kit: verify an implementation of the endpoint against the spec.

Layers, each importing only those above it:

    config      one KitConfig, built from the option table by the CLI and the pytest plugin
    text        server-derived text made printable, shell-quoted, XML-safe
    guard       a wall-clock deadline per request, a body cap, a stop after timeouts
    transport   plain HTTP under the guard, no redirects followed, key masked in curl
    sessions    Schemathesis' requests sessions under the same guard
    failures    ContractViolation (check, expected, got, request) and CheckSkipped
    registry    @check: small named functions, collected per family module
    context     the run's config, compiled contract and memoizing client (concurrent probes)
    checks/     conformance (Schemathesis), errors, credentials (look-alike keys), inputs
                (hostile encodings, repeated parameters, other methods), isolation, sweep,
                semantics, freshness, drift; samples (the requests several checks read)
    runner      runs checks, feeds results to handlers; report: console and JUnit handlers
    cli, plugin freddy-contract and the pytest entry
"""
