"""The dialogs the window opens, none of them modal: the reactor keeps running while they are open.

:class:`DialogCommands` is a part of :class:`app.gui.window.MainWindow` (a
mixin, as :class:`~app.gui.row_commands.RowCommands` is): Add Servers,
Preferences, Demo Server Pace, About, and the message boxes. Each is opened
with ``open()`` or ``show()`` and answers through signals, never
``exec_()``, which would run a nested event loop inside whatever callback
opened it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QIcon
from PyQt5.QtWidgets import QDialog, QMessageBox, QStatusBar, QWidget

from app import DISPLAY_NAME
from app.demo import DemoServers
from app.downloads import DownloadController
from app.gui.add_dialog import AddServersDialog
from app.gui.model import ServerListModel
from app.gui.pace_dialog import DemoPaceDialog
from app.gui.preferences import PreferencesDialog

if TYPE_CHECKING:
    from collections.abc import Iterable

    from app.address import Address
    from app.rows import ServerRow


class DialogCommands:
    """The dialogs of the main window; the attributes below are the window's parts."""

    model: ServerListModel
    downloads: DownloadController
    demo: DemoServers
    _dialogs: list[QWidget]

    if TYPE_CHECKING:  # the window's own methods; at run time the window has them

        def windowIcon(self) -> QIcon: ...
        def statusBar(self) -> QStatusBar: ...
        def save_settings(self) -> None: ...
        def add_servers(
            self,
            addresses: Iterable[Address],
            encoding: str = ...,
            *,
            start: bool = ...,
            paced: bool = ...,
        ) -> list[ServerRow]: ...

    def open_add_dialog(self) -> AddServersDialog:
        dialog = AddServersDialog(lambda: {row.address for row in self.model.rows}, self._parent())
        dialog.serversChosen.connect(
            lambda addresses, encoding, start: self.add_servers(
                addresses, encoding, start=start, paced=True
            )
        )
        self.open_dialog(dialog)
        return dialog

    def open_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(self.downloads.limit, self._parent())
        dialog.limitChosen.connect(self._set_connection_limit)
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
        dialog.destroyed.connect(lambda *_: self._dialogs.remove(dialog))
        self._dialogs.append(dialog)
        dialog.open()

    def show_about(self) -> QMessageBox:
        """A non-modal About box: what the program is, its version, what it runs on."""
        from PyQt5.QtCore import PYQT_VERSION_STR, QT_VERSION_STR
        from twisted import __version__ as twisted_version

        from app import __version__

        box = self.tell(
            f"About {DISPLAY_NAME}",
            f"{DISPLAY_NAME} {__version__}\n\n"
            "Downloads poems from many poetry servers at once, on one event loop: "
            "Qt's, driving Twisted's reactor. It grew out of the slow poetry server "
            "and the get-poetry clients of the Twisted Introduction.\n\n"
            f"Qt {QT_VERSION_STR} · PyQt {PYQT_VERSION_STR} · Twisted {twisted_version}",
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
        box.destroyed.connect(lambda *_: self._dialogs.remove(box))
        self._dialogs.append(box)
        box.show()
        return box

    def _set_connection_limit(self, limit: int) -> None:
        self.downloads.set_limit(limit)
        self.save_settings()

    def _parent(self) -> QWidget:
        """The window itself, as the dialogs' parent (this class is one of its bases)."""
        assert isinstance(self, QWidget)
        return self
