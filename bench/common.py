"""Shared by the benchmarks: the actor of their set-ups (every service refuses to act for
nobody). Imported lazily: Django is set up by each benchmark first."""

from __future__ import annotations


def system():
    from lindung.core.actors import system_actor

    return system_actor("cli")
