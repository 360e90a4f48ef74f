"""The contract kit: verify an implementation of the endpoint against the spec.

Layers, each importing only those above it:

    config      one KitConfig, built from the option table by the CLI and the pytest plugin
    transport   plain HTTP with a hard timeout, no redirects followed, key masked in curl
    failures    ContractViolation (check, expected, got, request) and CheckSkipped
    registry    @check: small named functions, collected per family module
    context     the run's config, compiled contract and memoizing client
    checks/     conformance (Schemathesis), errors, semantics, isolation, drift
    runner      runs checks, feeds results to handlers; report: console and JUnit handlers
    cli, plugin freddy-contract and the pytest entry
"""
