"""The desktop app: Qt widgets over one :class:`~rnnviz.ui.adapter.SessionAdapter`.

Only this package (and ``rnnviz.io``) imports Qt. Every view takes the adapter
in its constructor, subscribes to :attr:`SessionAdapter.changed` and reads the
session; views never call each other.
"""
