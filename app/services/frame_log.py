"""The frame journal as the window's log reads it: one filter, light rows, whole frames on demand.

The SQL and the row mapping live in app/storage/journal.py; this is the window's door to them
(the UI reaches storage only through services).
"""

from __future__ import annotations

import pathlib

from app.storage import journal

ERROR_TYPES = journal.ERROR_TYPES  # message types shown as errors: bad frame, CALLERROR, CALLRESULTERROR
FrameFilter = journal.FrameFilter
FrameHead = journal.FrameHead
JournalReader = journal.JournalReader


def open_reader(path: pathlib.Path) -> journal.JournalReader | None:
    """A reader of its own for the calling thread; None until the journal exists."""
    return journal.JournalReader.try_open(path)
