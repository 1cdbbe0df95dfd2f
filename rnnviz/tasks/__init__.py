"""Headless learning tasks for the Elman network, one module each.

``addition``        binary addition, bits least-significant first (seed 001)
``hello``           next-character model of "hello" (seed 002)
``vanishing``       δ norms back in time, with and without clipping (seed 004)
``worked_example``  the three-step BPTT worked by hand in seed 003

Every task is pure numpy: it takes a settings object and an optional progress
callback ``progress(done, total)`` and returns a result object; printing is
the command line's job (``rnnviz.commands.task`` and ``rnnviz.commands.bptt``).
"""

from collections.abc import Callable
from typing import TypeAlias

#: Called now and then with (work done, total work), e.g. examples trained.
Progress: TypeAlias = Callable[[int, int], None]
