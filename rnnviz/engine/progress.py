"""Progress of long work, reported by the run layer to whoever listens.

Moving a session across millions of ticks (End, a seek, an edit's recompute,
replaying a saved session) takes seconds. The run layer knows how far it got
but must not know about windows, so it calls :func:`report` after every chunk
of work, and a front end that wants to show progress wraps the work in
:func:`reporting` with a callback. Without a listener :func:`report` costs
one lookup; the callback is called every few milliseconds of work and
decides itself how often to do something visible.

The callback may raise :class:`~rnnviz.engine.errors.Cancelled` to stop the
work. The code that reports is written so that it stops consistently: a
session stops at the tick it reached (see :meth:`rnnviz.session.Session.seek`).

Listeners are kept per thread (a :class:`contextvars.ContextVar`), so work on
another thread never reports to a dialog on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeAlias

#: ``callback(done, total)``: *done* of *total* units of one job (ticks, for a session).
ProgressCallback: TypeAlias = Callable[[int, int], None]

_listeners: ContextVar[tuple[ProgressCallback, ...]] = ContextVar("rnnviz_progress", default=())


@contextmanager
def reporting(callback: ProgressCallback) -> Iterator[None]:
    """Send the progress of the work done inside to *callback* (the innermost listener wins)."""
    token = _listeners.set((*_listeners.get(), callback))
    try:
        yield
    finally:
        _listeners.reset(token)


@contextmanager
def part(done_before: int, total: int) -> Iterator[None]:
    """Count the work inside as one part of a larger job.

    A report of *done* units from inside reaches the enclosing listener as
    ``done_before + done`` of *total*: a job made of several moves (a replay,
    a walk in slices) shows one bar that only grows.
    """
    listeners = _listeners.get()
    if not listeners:
        yield
        return
    outer = listeners[-1]
    with reporting(lambda done, _total: outer(done_before + done, total)):
        yield


def listening() -> bool:
    """Whether any progress callback is installed (work may skip its chunking otherwise)."""
    return bool(_listeners.get())


def report(done: int, total: int) -> None:
    """Tell the innermost listener that *done* of *total* units are done.

    Raises whatever the callback raises, usually
    :class:`~rnnviz.engine.errors.Cancelled`.
    """
    listeners = _listeners.get()
    if listeners:
        listeners[-1](done, total)
