"""Serving: the app factory, the server and its workers, ``--watch``, and the CLI."""
