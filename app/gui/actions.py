"""The window's actions, one ``QAction`` each, named for automation, and where they appear.

Toolbar, menus and the rows' context menu all hold these same objects, so
a shortcut, a toolbar button and a menu entry can never disagree about what
is enabled. :func:`build_menus_and_toolbar` lays them out in one table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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

from app.downloads.events import Mode
from app.gui.mode_box import mode_box
from app.i18n import _, pgettext

#: Each action's keys, by object name: the same in every language.
SHORTCUTS: dict[str, tuple[QKeySequence.StandardKey | str, ...]] = {  # untranslated: keys
    "actionAddServers": ("Ctrl+N",),
    "actionRemove": (QKeySequence.Delete,),
    "actionUndo": (QKeySequence.Undo,),
    "actionStart": ("Return", "Enter", "F5"),
    "actionStartAll": ("Ctrl+F5",),
    "actionCancel": ("Esc",),
    "actionRetryFailed": ("Ctrl+R",),
    "actionSavePoem": ("Ctrl+S",),
    "actionPreferences": ("Ctrl+,",),
    "actionQuit": ("Ctrl+Q",),
    "actionShowTimeline": ("Ctrl+T",),
    "actionShowLog": ("Ctrl+L",),
    "actionShowReactor": ("Ctrl+Shift+R",),
    "actionReactorPause": ("Ctrl+Shift+P",),
    "actionReactorStep": ("Ctrl+Shift+S",),
}


class WindowActions:
    """Creates every action as a child of ``parent``; the window connects and enables them.

    The words (texts, tooltips, status tips, the menus' titles) are all set
    in :meth:`retranslate`, which runs again when the language changes.
    """

    def __init__(self, parent: QWidget) -> None:
        style = parent.style()

        def make(name: str, theme: str, fallback: QStyle.StandardPixmap) -> QAction:
            action = QAction(QIcon.fromTheme(theme, style.standardIcon(fallback)), "", parent)
            action.setObjectName(name)
            action.setShortcuts([QKeySequence(key) for key in SHORTCUTS.get(name, ())])
            return action

        self.add_servers = make("actionAddServers", "list-add", QStyle.SP_FileDialogNewFolder)
        self.remove = make("actionRemove", "list-remove", QStyle.SP_TrashIcon)
        self.undo = make("actionUndo", "edit-undo", QStyle.SP_ArrowBack)
        self.undo.setEnabled(False)
        self.start = make("actionStart", "media-playback-start", QStyle.SP_MediaPlay)
        self.start_all = make("actionStartAll", "media-seek-forward", QStyle.SP_MediaSeekForward)
        # How Start and Start All run a batch: a pair of radio actions.
        self.mode_group = QActionGroup(parent)
        self.mode_reactor = make(
            "actionModeReactor", "media-seek-forward", QStyle.SP_MediaSeekForward
        )
        self.mode_one_at_a_time = make("actionModeOneAtATime", "go-next", QStyle.SP_ArrowRight)
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
        self.cancel = make("actionCancel", "process-stop", QStyle.SP_BrowserStop)
        self.retry_failed = make("actionRetryFailed", "view-refresh", QStyle.SP_BrowserReload)
        self.save_poem = make("actionSavePoem", "document-save-as", QStyle.SP_DialogSaveButton)
        self.show_error = make("actionShowError", "dialog-error", QStyle.SP_MessageBoxWarning)
        self.preferences = make(
            "actionPreferences", "preferences-system", QStyle.SP_FileDialogDetailedView
        )
        self.demo_pace = make("actionDemoPace", "media-playback-pause", QStyle.SP_MediaSeekBackward)
        self.about = make("actionAbout", "help-about", QStyle.SP_MessageBoxInformation)
        self.quit = make("actionQuit", "application-exit", QStyle.SP_DialogCloseButton)
        self.reactor_pause = make(
            "actionReactorPause", "media-playback-pause", QStyle.SP_MediaPause
        )
        self.reactor_step = make(
            "actionReactorStep", "media-skip-forward", QStyle.SP_MediaSkipForward
        )
        #: Laid out by :func:`build_menus_and_toolbar`, worded by :meth:`retranslate`.
        self.menus: dict[str, QMenu] = {}
        self.show_timeline: QAction | None = None
        self.show_log: QAction | None = None
        self.show_reactor: QAction | None = None
        self.toolbar: QToolBar | None = None
        self.mode_combo: QComboBox | None = None
        self.retranslate()

    def retranslate(self) -> None:
        """Every word of the actions, menus, toolbar and mode box, in the current language."""
        for action, text, tip in (
            (self.add_servers, _("&Add Servers…"), _("Add poetry servers to the list")),
            (
                self.remove,
                _("&Remove"),
                _("Remove the selected servers, stopping their downloads"),
            ),
            (
                self.undo,
                _("&Undo Remove"),
                _("Bring back the servers removed last, with their poems"),
            ),
            (self.start, _("&Start"), _("Download from the selected servers")),
            (self.start_all, _("Start A&ll"), _("Download from every server that is not busy")),
            (
                self.mode_reactor,
                _("All at &Once (Reactor)"),
                _("Start every download at once: one reactor serves them all together"),
            ),
            (
                self.mode_one_at_a_time,
                _("One at a &Time (Blocking Client)"),
                _(
                    "Start each download when the previous one ends, as the tutorial's blocking "
                    "client does (part 2), but on the same reactor: the window never waits"
                ),
            ),
            (self.cancel, _("&Cancel"), _("Stop the selected downloads")),
            (
                self.retry_failed,
                _("Retry &Failed"),
                _("Download again from every server that failed"),
            ),
            (
                self.save_poem,
                _("Save &Poem As…"),
                _("Save the selected poem to a UTF-8 text file"),
            ),
            (
                self.show_error,
                _("Show &Error…"),
                _("Show why the selected download failed, with its traceback"),
            ),
            (
                self.preferences,
                _("&Preferences…"),
                _("Set how many downloads run at once, and the language"),
            ),
            (
                self.demo_pace,
                _("&Demo Server Pace…"),
                _("Slow a demo server down or speed it up, and watch its timeline lane stretch"),
            ),
            (
                self.about,
                _("&About Poetry Downloader"),
                _("What this program is and where it comes from"),
            ),
            (self.quit, _("&Quit"), _("Stop every download and quit")),
            (self.reactor_pause, _("&Pause Reactor"), _("Hold the reactor until you resume")),
            (self.reactor_step, _("&Step One Turn"), _("While paused, run exactly one turn")),
        ):
            _set_words(action, text, tip)
        if self.show_timeline is not None:
            _set_words(
                self.show_timeline,
                _("&Timeline"),
                _("Show each connection of the last Start All on one clock"),
            )
        if self.show_log is not None:
            _set_words(
                self.show_log,
                _("&Log"),
                _("Show what happened to every connection, and any internal error"),
            )
        if self.show_reactor is not None:
            _set_words(self.show_reactor, _("&Reactor"), _("Show each turn of the reactor loop"))
        for name, title in _menu_titles().items():
            if name in self.menus:
                self.menus[name].setTitle(title)
        if self.toolbar is not None:
            self.toolbar.setWindowTitle(pgettext("toolbar", "Main"))
        if self.mode_combo is not None:
            modes = (self.mode_reactor, self.mode_one_at_a_time)
            for index, action in enumerate(modes):
                self.mode_combo.setItemText(index, without_accelerator(action.text()))
                self.mode_combo.setItemData(index, action.statusTip(), Qt.ToolTipRole)
            self.mode_combo.setToolTip(
                "\n".join(
                    [_("How Start and Start All run the downloads:")]
                    + [f"• {action.statusTip()}" for action in modes]  # untranslated: a list
                )
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


def without_accelerator(text: str) -> str:
    """A menu text as a label outside a menu shows it: "&Start" → "Start", "开始(&S)" → "开始"."""
    return re.sub(r"\(&[^&\s]\)", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&")


def _menu_titles() -> dict[str, str]:
    """The menu bar's titles by menu object name, in the current language."""
    return {
        "menuFile": _("&File"),
        "menuServers": _("&Servers"),
        "menuView": _("&View"),
        "menuSettings": _("S&ettings"),
        "menuTutorial": _("&Tutorial"),
        "menuHelp": _("&Help"),
    }


def build_menus_and_toolbar(
    window: QMainWindow,
    a: WindowActions,
    timeline_dock: QDockWidget,
    log_dock: QDockWidget,
    reactor_dock: QDockWidget,
) -> QMenu:
    """Fill the window's menu bar and toolbar with the actions; return the rows' context menu.

    The menus, toolbar and dock toggles are kept on ``a``, which words them
    (:meth:`WindowActions.retranslate`).
    """
    a.show_timeline = _dock_action(window, timeline_dock, "actionShowTimeline")
    a.show_log = _dock_action(window, log_dock, "actionShowLog")
    a.show_reactor = _dock_action(window, reactor_dock, "actionShowReactor")
    menus: list[tuple[str, list[QAction | None]]] = [
        ("menuFile", [a.add_servers, a.save_poem, None, a.quit]),
        (
            "menuServers",
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
            "menuView",
            [a.show_timeline, a.show_log, a.show_reactor, a.reactor_pause, a.reactor_step],
        ),
        ("menuSettings", [a.preferences, a.demo_pace]),
        ("menuTutorial", []),  # filled by app.gui.tutorial.menu
        ("menuHelp", [a.about]),
    ]
    for name, entries in menus:
        menu = window.menuBar().addMenu("")
        menu.setObjectName(name)
        a.menus[name] = menu
        _fill(menu, entries)
    toolbar = window.addToolBar("")
    toolbar.setObjectName("mainToolBar")
    toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
    a.toolbar = toolbar
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
    a.mode_combo = mode_box([a.mode_reactor, a.mode_one_at_a_time])
    toolbar.insertWidget(a.cancel, a.mode_combo)
    row_menu = QMenu(window)
    row_menu.setObjectName("rowMenu")
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
            a.reactor_pause,
            a.reactor_step,
        ]
    )
    a.retranslate()
    return row_menu


def _dock_action(window: QMainWindow, dock: QDockWidget, name: str) -> QAction:
    """The View menu's toggle for ``dock``, named for automation, with its own shortcut.

    A dock sets its toggle's text to its title whenever the title changes,
    so the window words its docks before its actions.
    """
    action = dock.toggleViewAction()
    action.setObjectName(name)
    action.setShortcuts([QKeySequence(key) for key in SHORTCUTS[name]])
    window.addAction(action)
    return action


def _set_words(action: QAction, text: str, tip: str) -> None:
    """``action``'s text and status tip; its tooltip names the shortcut too."""
    action.setText(text)
    # The toolbar's words: Qt drops only the "&", which would leave "开始(S)".
    action.setIconText(without_accelerator(text))
    action.setStatusTip(tip)
    if action.shortcut().isEmpty():
        action.setToolTip(tip)
    else:
        shortcut = action.shortcut().toString(QKeySequence.NativeText)
        action.setToolTip(_("{tip} ({shortcut})").format(tip=tip, shortcut=shortcut))


def _fill(container: QMenu | QToolBar, entries: Iterable[QAction | None]) -> None:
    for entry in entries:
        if entry is None:
            container.addSeparator()
        else:
            container.addAction(entry)
