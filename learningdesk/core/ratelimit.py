"""Counting requests in a fixed window with the cache, for forms the public can send (sign-ups, record links)."""

from __future__ import annotations

from django.core.cache import cache


def count(key: str, window_seconds: int) -> int:
    """One more request for `key` in the window that started with its first; returns how many so far."""
    cache.add(key, 0, window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, window_seconds)
        return 1
