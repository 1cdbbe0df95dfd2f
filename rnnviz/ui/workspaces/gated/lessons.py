"""The gated cells' lessons (placeholder until they are written)."""

from __future__ import annotations


def install_lessons(workspace, services) -> None:
    """Give *workspace* its lessons (none yet)."""
