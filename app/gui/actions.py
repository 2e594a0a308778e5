"""The window's actions: one ``QAction`` each, named for automation (DESIGN §6).

Toolbar, menus and the rows' context menu all hold these same objects, so
a shortcut, a toolbar button and a menu entry can never disagree about what
is enabled.
"""

from __future__ import annotations

from PyQt5.QtGui import QIcon, QKeySequence
from PyQt5.QtWidgets import QAction, QActionGroup, QStyle, QWidget

from app.timeline import Mode


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
            *keys: QKeySequence | str,
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

    @property
    def mode(self) -> Mode:
        """The batch mode chosen: all at once (the default) or one at a time."""
        return self.mode_group.checkedAction().data()

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
