"""What every layer of the mock stands on, none of it a stage of a request: the clock
(``--now``), the error envelope (``errors``) and its one renderer (``renderer``, request
ids), the syntax of values a user gives (``syntax``: header and host names, origins,
rates), redaction of secrets (``redact``), and the start-up inputs: fixture files
(``fixtures``) and generated tenants (``tenants``). Imports no other part of the mock."""
