"""The one failure type every check raises, and the skip signal."""

from __future__ import annotations

from contract_tests.text import printable
from contract_tests.transport import Request


class ContractViolation(AssertionError):
    """A check saw the server break the contract.

    ``check`` names the rule, ``expected`` and ``got`` say what differed, ``request`` (when
    there is one) reproduces it. Both texts may quote the server: they are kept printable
    (control characters escaped) wherever they are shown.
    """

    def __init__(
        self, *, check: str, expected: str, got: str, request: Request | None = None
    ) -> None:
        self.check = check
        self.expected = printable(expected)
        self.got = printable(got)
        self.request = request
        super().__init__(self.describe())

    def describe(self) -> str:
        text = f"{self.check}: expected {self.expected}; got {self.got}"
        if self.request is not None:
            text += f"\n  reproduce: {self.request.curl()}"
        return text


class CheckSkipped(Exception):
    """The check cannot run with this configuration (e.g. no --foreign-org-id)."""
