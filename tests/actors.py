"""The actor of test set-ups that no person performs: the named system actor of the command
line (every service refuses to act for nobody)."""

from __future__ import annotations


def system():
    from lindung.core.actors import system_actor

    return system_actor("cli")
