"""The request's stages, one module each: hosts (the Host allow-list), negotiate
(``Prefer``), auth, params, data (the generator), cors. What they stand on (clock, error
envelope, fixtures) is in ``mock_server.foundation``."""
