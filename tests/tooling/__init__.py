"""Tests that run the tools users run on the spec: linters and client generators."""
