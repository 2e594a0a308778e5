"""The window's actions, one ``QAction`` each, named for automation, and where they appear.

Toolbar, menus and the rows' context menu all hold these same objects, so
a shortcut, a toolbar button and a menu entry can never disagree about what
is enabled. :func:`build_menus_and_toolbar` lays them out in one table.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QIcon, QKeySequence
from PyQt5.QtWidgets import (
    QAction,
    QActionGroup,
    QComboBox,
    QDockWidget,
    QMainWindow,
    QMenu,
    QStyle,
    QToolBar,
    QWidget,
)

from app.events import Mode


class WindowActions:
    """Creates every action as a child of ``parent``; the window connects and enables them."""

    def __init__(self, parent: QWidget) -> None:
        style = parent.style()

        def make(
            name: str,
            text: str,
            theme: str,
            fallback: QStyle.StandardPixmap,
            tip: str,
            *keys: QKeySequence | QKeySequence.StandardKey | str,
        ) -> QAction:
            action = QAction(QIcon.fromTheme(theme, style.standardIcon(fallback)), text, parent)
            action.setObjectName(name)
            action.setShortcuts([QKeySequence(key) for key in keys])
            shortcut = f" ({action.shortcut().toString(QKeySequence.NativeText)})" if keys else ""
            action.setToolTip(tip + shortcut)
            action.setStatusTip(tip)
            return action

        self.add_servers = make(
            "actionAddServers",
            "&Add Servers…",
            "list-add",
            QStyle.SP_FileDialogNewFolder,
            "Add poetry servers to the list",
            "Ctrl+N",
        )
        self.remove = make(
            "actionRemove",
            "&Remove",
            "list-remove",
            QStyle.SP_TrashIcon,
            "Remove the selected servers, stopping their downloads",
            QKeySequence.Delete,
        )
        self.undo = make(
            "actionUndo",
            "&Undo Remove",
            "edit-undo",
            QStyle.SP_ArrowBack,
            "Bring back the servers removed last, with their poems",
            QKeySequence.Undo,
        )
        self.undo.setEnabled(False)
        self.start = make(
            "actionStart",
            "&Start",
            "media-playback-start",
            QStyle.SP_MediaPlay,
            "Download from the selected servers",
            "Return",
            "Enter",
            "F5",
        )
        self.start_all = make(
            "actionStartAll",
            "Start A&ll",
            "media-seek-forward",
            QStyle.SP_MediaSeekForward,
            "Download from every server that is not busy",
            "Ctrl+F5",
        )
        # How Start and Start All run a batch: a pair of radio actions.
        self.mode_group = QActionGroup(parent)
        self.mode_reactor = make(
            "actionModeReactor",
            "All at &Once (Reactor)",
            "media-seek-forward",
            QStyle.SP_MediaSeekForward,
            "Start every download at once: one reactor serves them all together",
        )
        self.mode_one_at_a_time = make(
            "actionModeOneAtATime",
            "One at a &Time (Blocking Client)",
            "go-next",
            QStyle.SP_ArrowRight,
            "Start each download when the previous one ends, as a blocking client would",
        )
        for action, mode in (
            (self.mode_reactor, Mode.REACTOR),
            (self.mode_one_at_a_time, Mode.ONE_AT_A_TIME),
        ):
            action.setCheckable(True)
            action.setData(mode)
            # An icon would take the radio mark's place in the menu; the toolbar's
            # combo box shows the icons.
            action.setIconVisibleInMenu(False)
            self.mode_group.addAction(action)
        self.mode_reactor.setChecked(True)
        self.cancel = make(
            "actionCancel",
            "&Cancel",
            "process-stop",
            QStyle.SP_BrowserStop,
            "Stop the selected downloads",
            "Esc",
        )
        self.retry_failed = make(
            "actionRetryFailed",
            "Retry &Failed",
            "view-refresh",
            QStyle.SP_BrowserReload,
            "Download again from every server that failed",
            "Ctrl+R",
        )
        self.save_poem = make(
            "actionSavePoem",
            "Save &Poem As…",
            "document-save-as",
            QStyle.SP_DialogSaveButton,
            "Save the selected poem to a UTF-8 text file",
            "Ctrl+S",
        )
        self.show_error = make(
            "actionShowError",
            "Show &Error…",
            "dialog-error",
            QStyle.SP_MessageBoxWarning,
            "Show why the selected download failed, with its traceback",
        )
        self.preferences = make(
            "actionPreferences",
            "&Preferences…",
            "preferences-system",
            QStyle.SP_FileDialogDetailedView,
            "Set how many downloads run at once",
            "Ctrl+,",
        )
        self.demo_pace = make(
            "actionDemoPace",
            "Demo Server &Pace…",
            "media-playback-pause",
            QStyle.SP_MediaSeekBackward,
            "Slow a demo server down or speed it up, and watch its timeline lane stretch",
        )
        self.about = make(
            "actionAbout",
            "&About Poetry Downloader",
            "help-about",
            QStyle.SP_MessageBoxInformation,
            "What this program is and where it comes from",
        )
        self.quit = make(
            "actionQuit",
            "&Quit",
            "application-exit",
            QStyle.SP_DialogCloseButton,
            "Stop every download and quit",
            "Ctrl+Q",
        )

    def choose_mode(self, mode: Mode) -> None:
        """Check ``mode``'s action (the toolbar's combo box follows; nothing is saved)."""
        for action in self.mode_group.actions():
            if action.data() is mode:
                action.setChecked(True)

    @property
    def mode(self) -> Mode:
        """The batch mode chosen: all at once (the default) or one at a time."""
        mode: Mode = self.mode_group.checkedAction().data()
        return mode

    @property
    def for_rows(self) -> list[QAction | None]:
        """The context menu of the table's rows; ``None`` is a separator."""
        return [
            self.start,
            self.cancel,
            self.show_error,
            None,
            self.save_poem,
            None,
            self.remove,
            None,
            self.add_servers,
            self.start_all,
            self.retry_failed,
        ]


def build_menus_and_toolbar(
    window: QMainWindow, a: WindowActions, timeline_dock: QDockWidget, log_dock: QDockWidget
) -> QMenu:
    """Fill the window's menu bar and toolbar with the actions; return the rows' context menu."""
    menus: list[tuple[str, list[QAction | None]]] = [
        ("&File", [a.add_servers, a.save_poem, None, a.quit]),
        (
            "&Servers",
            [
                a.start,
                a.start_all,
                a.mode_reactor,
                a.mode_one_at_a_time,
                None,
                a.cancel,
                a.retry_failed,
                None,
                a.show_error,
                None,
                a.remove,
                a.undo,
            ],
        ),
        (
            "&View",
            [
                _dock_action(
                    window,
                    timeline_dock,
                    "actionShowTimeline",
                    "&Timeline",
                    "Ctrl+T",
                    "Show each connection of the last Start All on one clock",
                ),
                _dock_action(
                    window,
                    log_dock,
                    "actionShowLog",
                    "&Log",
                    "Ctrl+L",
                    "Show what happened to every connection, and any internal error",
                ),
            ],
        ),
        ("S&ettings", [a.preferences, a.demo_pace]),
        ("&Help", [a.about]),
    ]
    for title, entries in menus:
        menu = window.menuBar().addMenu(title)
        _fill(menu, entries)
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("mainToolBar")
    toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
    _fill(
        toolbar,
        [
            a.add_servers,
            a.remove,
            None,
            a.start,
            a.start_all,
            a.cancel,
            a.retry_failed,
            None,
            a.save_poem,
        ],
    )
    toolbar.insertWidget(a.cancel, _mode_combo(a))
    row_menu = QMenu(window)
    _fill(row_menu, a.for_rows)
    # Shortcuts work even where the menu bar is hidden (some desktops).
    window.addActions(
        [
            a.add_servers,
            a.remove,
            a.undo,
            a.start,
            a.start_all,
            a.cancel,
            a.retry_failed,
            a.save_poem,
            a.show_error,
            a.preferences,
            a.quit,
        ]
    )
    return row_menu


def _mode_combo(a: WindowActions) -> QComboBox:
    """The toolbar's face of the two mode actions, beside Start All, always in view."""
    combo = QComboBox()
    combo.setObjectName("startModeCombo")
    combo.setToolTip("How Start and Start All run the downloads")
    modes = [a.mode_reactor, a.mode_one_at_a_time]
    for action in modes:
        combo.addItem(action.icon(), action.text().replace("&", ""), action.data())
    combo.currentIndexChanged.connect(lambda index: modes[index].setChecked(True))

    def follow(action: QAction, checked: bool) -> None:
        if checked:
            combo.setCurrentIndex(modes.index(action))

    for action in modes:
        action.toggled.connect(partial(follow, action))
    return combo


def _dock_action(
    window: QMainWindow, dock: QDockWidget, name: str, text: str, key: str, tip: str
) -> QAction:
    """The View menu's toggle for ``dock``, named for automation, with its own shortcut."""
    action = dock.toggleViewAction()
    action.setObjectName(name)
    action.setText(text)
    action.setShortcut(QKeySequence(key))
    action.setStatusTip(tip)
    window.addAction(action)
    return action


def _fill(container: QMenu | QToolBar, entries: Iterable[QAction | None]) -> None:
    for entry in entries:
        if entry is None:
            container.addSeparator()
        else:
            container.addAction(entry)
