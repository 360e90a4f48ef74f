"""The contract itself: the spec loaded, compiled into rules, and the rules about keys.

Both the mock (``mock_server``) and the contract kit (``contract_tests``) import this
package; it imports neither of them (tests/test_architecture.py asserts it).
"""

__version__ = "0.1.0"  # the distribution's version (pyproject.toml reads it from here)
