"""Session files of the model kinds other than the one-neuron learner.

A kind registered with ``file_codec`` (:class:`~rnnviz.ui.workspaces.ModelKind`)
saves its run as a document: :meth:`Workspace.document` gives it,
:mod:`rnnviz.io.sessionfile` wraps it in the session envelope with the kind's
name, the play speed and the caption, and opening the file hands it back to
that kind's workspace (:meth:`Workspace.open_document`), which checks it and
changes nothing when it is bad. The session-file controller
(:class:`~rnnviz.ui.files.SessionFiles`) keeps the one-neuron format, the
lessons and autosave, and comes here for any other kind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rnnviz.engine.errors import InputError
from rnnviz.io import sessionfile
from rnnviz.ui import workspaces


class ModelFiles:
    """Open and save the files of other model kinds in *window* (see the module docstring).

    :attr:`kind` is the kind of the file last opened or saved, '' when that
    was a one-neuron file (or none).
    """

    def __init__(self, window) -> None:
        self._window = window
        self.kind = ""
        self._baseline: dict[str, Any] | None = None
        #: The kinds whose changes update the title's ``*`` (see SessionFiles).
        self.followed: set[str] = set()

    @property
    def modified(self) -> bool:
        """The run of the file's kind differs from the file as last opened or saved."""
        if not self.kind or self._baseline is None:
            return False
        return self._window.workspace_of(self.kind).document() != self._baseline

    def shown_kind(self) -> str:
        """The model kind whose files the window writes now ('' for the one-neuron format)."""
        key = self._window.kind_key
        return "" if key == sessionfile.NEURON_MODEL else key

    def open(self, loaded: sessionfile.ModelFile, set_caption: Callable[[str], None] | None) -> None:
        """Show *loaded* in its kind's workspace; InputError (one line) when no kind reads it."""
        kind = workspaces.kind(loaded.model)
        if not kind.file_codec:
            raise InputError(f"a {kind.title} session cannot be stored as a 'run' document")
        workspace = self._window.workspace_of(kind.key)
        workspace.open_document(loaded.run)  # checks everything first; nothing changes on error
        self._window.show_kind(kind.key)
        workspace.adapter.set_speed(loaded.speed)
        if loaded.caption and set_caption is not None:
            set_caption(loaded.caption)
        self.kind = kind.key
        self._baseline = workspace.document()

    def save(self, path: Path, caption: str | None) -> None:
        """Write the run shown to *path* (OSError when the disk refuses)."""
        key, workspace = self._window.kind_key, self._window.workspace
        document = workspace.document()
        sessionfile.save_model(path, key, document, speed=workspace.adapter.speed, caption=caption)
        self.kind = key
        self._baseline = document

    def forget(self) -> None:
        """The file shown is a one-neuron file (or none)."""
        self.kind = ""
        self._baseline = None

    def mark_clean(self) -> None:
        """What the file's kind shows now counts as saved."""
        if self.kind:
            self._baseline = self._window.workspace_of(self.kind).document()
