"""The dialogs the window opens, none of them modal: the reactor keeps running while they are open.

:class:`DialogCommands` is a part of :class:`app.gui.window.MainWindow` (a
mixin, as :class:`~app.gui.commands.rows.RowCommands` is): Add Servers,
Preferences, Demo Server Pace, About, and the message boxes. Each is opened
with ``open()`` or ``show()`` and answers through signals, never
``exec_()``, which would run a nested event loop inside whatever callback
opened it.

Preferences also chooses the language: the choice is saved with the
settings and installed at once (:meth:`DialogCommands.choose_language`),
and every open window re-reads its words on the ``LanguageChange`` that
follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QIcon
from PyQt5.QtWidgets import QApplication, QDialog, QMessageBox, QStatusBar, QWidget

from app import i18n
from app.downloads.controller import DownloadController
from app.downloads.demo import DemoServers
from app.gui.dialogs.add_servers import AddServersDialog
from app.gui.dialogs.demo_pace import DemoPaceDialog
from app.gui.dialogs.preferences import PreferencesDialog
from app.gui.i18n import install_language, window_language
from app.gui.table.model import ServerListModel
from app.i18n import _, display_name

if TYPE_CHECKING:
    from app.net.address import Address


class DialogCommands:
    """The dialogs of the main window; the attributes below are the window's parts."""

    model: ServerListModel
    downloads: DownloadController
    demo: DemoServers
    _dialogs: list[QWidget]
    #: The language chosen in Preferences and saved with the settings; None: the locale's.
    language: str | None = None

    if TYPE_CHECKING:  # the window's own methods; at run time the window has them

        def windowIcon(self) -> QIcon: ...
        def statusBar(self) -> QStatusBar: ...
        def save_settings(self) -> None: ...
        def add_chosen_servers(
            self, addresses: list[Address], encoding: str, start: bool
        ) -> None: ...

    def open_add_dialog(self) -> AddServersDialog:
        dialog = AddServersDialog(lambda: {row.address for row in self.model.rows}, self._parent())
        dialog.serversChosen.connect(self.add_chosen_servers)
        self.open_dialog(dialog)
        return dialog

    def open_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(
            self.downloads.limit, self._parent(), self.language, max_time=self.downloads.max_time
        )
        dialog.limitChosen.connect(self._set_connection_limit)
        dialog.maxTimeChosen.connect(self._set_max_time)
        dialog.languageChosen.connect(self.choose_language)
        self.open_dialog(dialog)
        return dialog

    def open_demo_pace(self) -> DemoPaceDialog:
        """Pace controls for the embedded demo servers; changes apply to downloads under way."""
        dialog = DemoPaceDialog(self.demo, self._parent())
        self.open_dialog(dialog)
        return dialog

    def open_dialog(self, dialog: QDialog) -> None:
        """Open ``dialog`` window-modal without blocking; it is deleted when closed."""
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        self._forget_when_destroyed(dialog)
        self._dialogs.append(dialog)
        dialog.open()

    def show_about(self) -> QMessageBox:
        """A non-modal About box: what the program is, its version, what it runs on."""
        from PyQt5.QtCore import PYQT_VERSION_STR, QT_VERSION_STR
        from twisted import __version__ as twisted_version

        from app import __version__

        name = display_name()
        text = "\n\n".join(
            (
                f"{name} {__version__}",
                _(
                    "Downloads poems from many poetry servers at once, on one event loop: "
                    "Qt's, driving Twisted's reactor. It grew out of the slow poetry server "
                    "and the get-poetry clients of the Twisted Introduction."
                ),
                _(
                    "The Tutorial menu maps the Twisted Introduction's parts to this window's "
                    "views, and runs its ideas as experiments."
                ),
                # untranslated: the names of the libraries, with their versions
                f"Qt {QT_VERSION_STR} · PyQt {PYQT_VERSION_STR} · Twisted {twisted_version}",
            )
        )
        box = self.tell(
            _("About {name}").format(name=name),
            text,
            QMessageBox.Information,
            status=False,
        )
        box.setIconPixmap(self.windowIcon().pixmap(64, 64))
        return box

    def tell(
        self, title: str, text: str, icon: QMessageBox.Icon, *, status: bool = True
    ) -> QMessageBox:
        """A non-modal message box; unless ``status`` is False, the status bar says it too."""
        box = QMessageBox(icon, title, text, QMessageBox.Ok, self._parent())
        box.setObjectName("messageBox")
        box.setTextFormat(Qt.PlainText)
        box.setWindowModality(Qt.NonModal)
        if status:
            self.statusBar().showMessage(text, 10_000)
        box.setAttribute(Qt.WA_DeleteOnClose)
        self._forget_when_destroyed(box)
        self._dialogs.append(box)
        box.show()
        return box

    def choose_language(self, language: str) -> str:
        """Speak ``language`` (``""``: the locale's) from now on, and save the choice.

        Returns the language installed. The window and its open dialogs change
        at once: installing posts ``LanguageChange`` to every widget.
        """
        self.language = i18n.normalise(language)
        wanted = window_language(self.language, None)
        installed = i18n.current()
        if wanted != installed:
            installed = install_language(wanted)
            QApplication.setApplicationDisplayName(display_name())
        self.save_settings()
        return installed

    def _forget_when_destroyed(self, dialog: QWidget) -> None:
        """Drop ``dialog`` from the open ones once Qt destroys it.

        The slot holds the list, not the window: a dialog still open when the
        window itself is destroyed is destroyed with it, and a slot reaching
        into a window being torn down would crash the process.
        """
        dialogs = self._dialogs

        def forget() -> None:
            if dialog in dialogs:
                dialogs.remove(dialog)

        dialog.destroyed.connect(forget)

    def _set_connection_limit(self, limit: int) -> None:
        self.downloads.set_limit(limit)
        self.save_settings()

    def _set_max_time(self, max_time: float | None) -> None:
        """Downloads started from now on are given up after ``max_time`` seconds (None: never)."""
        self.downloads.max_time = max_time
        self.save_settings()

    def _parent(self) -> QWidget:
        """The window itself, as the dialogs' parent (this class is one of its bases)."""
        assert isinstance(self, QWidget)
        return self
