"""(being written for issue 4)"""

from __future__ import annotations


def install(window) -> None:
    """Add this feature's views and actions to *window*."""
