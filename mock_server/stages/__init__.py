"""The request's stages, one module each: auth, params, negotiate (``Prefer``), data,
errors (the envelope), cors, hosts (the Host allow-list), plus the clock and the fixture
loader they read from."""
