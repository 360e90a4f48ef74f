"""The hot path's bounded caches: a dict written through ``keep`` never grows past its
size, loses its oldest entry first, and keeps a key stored again where it was."""

from __future__ import annotations

from mock_server.foundation.bounded import keep


def test_the_oldest_entry_goes_first_and_the_size_holds() -> None:
    cache: dict[str, int] = {}
    for n in range(5):
        assert keep(cache, f"k{n}", n, 3) == n
    assert list(cache) == ["k2", "k3", "k4"]


def test_storing_a_key_again_evicts_nothing() -> None:
    cache = {"a": 1, "b": 2}
    keep(cache, "a", 10, 2)
    assert cache == {"a": 10, "b": 2}
