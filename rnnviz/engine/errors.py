"""Errors that are the user's to fix, not the program's, and the user's Cancel."""


class InputError(ValueError):
    """Bad input from a user: a sequence, a parameter or a file.

    The message is written for the person who typed the input: it names the
    problem (and, for a sequence, the offending character and its position) in
    one line. Front ends print it as is, without a traceback.
    """


class Cancelled(Exception):
    """The user stopped long work (a progress dialog's Cancel).

    Raised by a progress callback (see :mod:`rnnviz.engine.progress`) and let
    through by the work it stops. Whatever raised it leaves its object
    consistent: a session moving in time stops at the tick it reached, with
    the cursor there and every stored tick exact. Not an :class:`InputError`:
    nothing was wrong, so front ends say what was kept, not what failed.
    """
