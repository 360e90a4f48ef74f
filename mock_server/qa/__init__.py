"""QA features: scenarios (files and rules), faults, rate limit, usage overrides, the
journal, and the runtime state they switch (``runtime``: one process or shared)."""
