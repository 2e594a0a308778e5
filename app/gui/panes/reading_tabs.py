"""Under the table: the selected row's poem and its story, as two tabs.

*Poem* is the :class:`~app.gui.panes.poem.PoemPane` (``poemView``), *Story*
the :class:`~app.gui.panes.story.RowDetails` (``rowDetails``): the same row,
read two ways. Both listen to the downloads' events and are told which row to
show by :meth:`ReadingTabs.show_row`.
"""

from __future__ import annotations

from PyQt5.QtWidgets import QTabWidget, QWidget

from app.downloads.events import EventStream
from app.downloads.rows import ServerRow
from app.gui.panes.poem import PoemPane
from app.gui.panes.story import RowDetails
from app.i18n import _, pgettext
from app.views.story import RowStories

POEM_TAB, STORY_TAB = 0, 1


class ReadingTabs(QTabWidget):
    """``readingTabs``: "Poem" then "Story"."""

    def __init__(self, stories: RowStories, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readingTabs")
        self.setDocumentMode(True)
        self.poem_pane = PoemPane()
        self.row_details = RowDetails(stories)
        self.addTab(self.poem_pane, "")
        self.addTab(self.row_details, "")
        self.retranslate()

    def retranslate(self) -> None:
        """The tabs' words, and what they show, in the current language."""
        self.setTabText(POEM_TAB, pgettext("tab", "Poem"))
        self.setTabText(STORY_TAB, pgettext("tab", "Story"))
        self.setTabToolTip(POEM_TAB, _("The selected server's poem"))
        self.setTabToolTip(
            STORY_TAB,
            _(
                "The selected server's latest download: times, what Twisted called, "
                "the Deferred's chain and path"
            ),
        )
        self.poem_pane.retranslate()
        self.row_details.refresh()

    def follow(self, events: EventStream) -> None:
        self.poem_pane.follow(events)
        self.row_details.follow(events)

    def show_row(self, row: ServerRow | None) -> None:
        self.poem_pane.show_row(row)
        self.row_details.show_row(row)
