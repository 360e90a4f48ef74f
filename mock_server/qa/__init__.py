"""QA features: scenarios (files and rules), faults, rate limit, usage transforms, and
``parts`` (``QaParts``, built once). What they switch at run time lives in
``mock_server.runtime``."""
