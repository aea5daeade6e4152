"""Signals of our own, for the writes Django sends none for."""

from django.dispatch import Signal

# Rows saved in bulk (``bulk_create``/``bulk_update`` by a set-based service such as an import):
# sent once, after the rows are written, in their transaction, with ``sender`` the model and
# ``instances`` the rows as saved. Receivers that follow each ``save()`` through post_save (the
# indicator cells) follow these the same way, all at once.
bulk_saved = Signal()
