"""Errors that are the user's to fix, not the program's."""


class InputError(ValueError):
    """Bad input from a user: a sequence, a parameter or a file.

    The message is written for the person who typed the input: it names the
    problem (and, for a sequence, the offending character and its position) in
    one line. Front ends print it as is, without a traceback.
    """
