"""What a learner found using the window in Chinese, each shown as a person sees it.

Counts that disagree with the table for a moment, progress words cut in
two, a mode box that cut its own names, a busy bar that looked full, two
"failure" counts side by side: each test here reads the window's own
words (a cell, a label, a tooltip, a painted bar) in the situation the
learner met.
"""

from __future__ import annotations

import pytest
from PyQt5.QtWidgets import QLabel

from app.gui import MainWindow
from app.gui.table.model import STATUS
from tests.conftest import local, row_of, view_model

pytestmark = pytest.mark.usefixtures("no_leftover_timers")


def test_a_failure_reaches_the_row_and_the_status_counts_on_the_same_tick(
    qtbot, window: MainWindow, refused_port
):
    summary = window.findChild(QLabel, "statusSummary")
    seen: list[tuple[str, str]] = []

    def after_the_views(_bytes_came: bool) -> bool:
        # Added last, so it reads what the tick's views have just shown.
        model = view_model(window)
        if model.rowCount():
            status = model.index(row_of(window, local(refused_port)), STATUS).data()
            seen.append((status, summary.text()))
        return False

    window.tick.refresh_with(after_the_views)
    # The counts were just written (as when rows come, or the language
    # changes): a refused connection fails well within the next 0.1 s.
    summary.recount()
    window.add_servers([local(refused_port)], start=True)
    qtbot.waitUntil(lambda: any(status == "Failed" for status, _ in seen), timeout=5000)

    shown_failed = [text for status, text in seen if status == "Failed"]
    assert shown_failed and all("1 failed" in text for text in shown_failed), seen
