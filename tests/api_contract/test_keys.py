"""mask_key: at most the last four characters, and only of a long key."""

from __future__ import annotations

import pytest

from api_contract.keys import mask_key


@pytest.mark.parametrize("length", range(41))
def test_at_most_the_last_four_and_only_of_long_keys(length: int) -> None:
    key = "".join(chr(ord("a") + i % 26) for i in range(length))
    masked = mask_key(key)
    shown = masked.removeprefix("…")
    assert masked.startswith("…")
    assert len(shown) <= 4
    if length < 12:
        assert shown == ""  # a 9-character key used to show 8 of its characters
    else:
        assert shown == key[-4:]


def test_the_fixture_keys_stay_apart() -> None:
    assert mask_key("mock-key-abc123") == "…c123"
    assert mask_key("mock-key-xyz789") == "…z789"
