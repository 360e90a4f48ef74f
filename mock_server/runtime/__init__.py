"""The runtime state: what changes while the mock runs (active scenarios, run-time settings,
rate-limit windows and ``every:`` counters, the request journal, the cap on delayed
requests), behind one interface (``base.StateBackend``), with its backends: ``memory`` (one
process, the default), ``file`` (``--workers N``: an SQLite file), ``redis_*`` (``--state
redis://``). ``factory.build_backend`` picks one from the config. Imports ``foundation`` and
``config`` only; ``qa`` and everything above read and change the state through it."""
