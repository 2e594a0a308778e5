"""Choosing the language: ``install_language``, ``--language``, the locale, and Preferences.

And a walk of the dialogs under zh_CN, opened as a person opens them (the
menu's actions), reading what a person reads: Chinese, and nothing cut off.
Every test that installs Chinese puts English back afterwards.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import (
    QAbstractButton,
    QAction,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLabel,
    QMessageBox,
    QWidget,
)

from app import i18n
from app.gui.i18n import install_language
from app.settings.store import FILE_NAME
from tests.conftest import failure_dialog, local, open_window, settings_on_disk

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chinese() -> Iterator[None]:
    """zh_CN for the test (asked for before ``window``, so the window is built in it)."""
    assert install_language("zh_CN") == "zh_CN"
    yield
    install_language("en")


@pytest.fixture
def english_afterwards() -> Iterator[None]:
    yield
    install_language("en")


def trigger(window: QWidget, name: str) -> None:
    """Choose a menu entry, as a person does."""
    action = window.findChild(QAction, name)
    assert action is not None, name
    assert action.isEnabled(), name
    action.trigger()


def open_dialog(qtbot, window: QWidget, action: str, name: str) -> QDialog:
    trigger(window, action)
    # One closed a moment ago may wait to be deleted: the one on screen is the new one.
    [dialog] = [d for d in window.findChildren(QDialog, name) if d.isVisible()]
    qtbot.waitExposed(dialog)
    return dialog


def press(qtbot, dialog: QWidget, which: QDialogButtonBox.StandardButton) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(buttons.button(which), Qt.LeftButton)


def button_texts(dialog: QWidget) -> set[str]:
    return {b.text() for b in dialog.findChild(QDialogButtonBox).buttons()}


def assert_nothing_cut(dialog: QWidget) -> None:
    """Every visible label and button shows its whole text: as wide (and tall) as it asks.

    And no two of them share an Alt+letter, which would make the key take turns.
    """
    QApplication.processEvents()
    texts = [
        w.text()
        for w in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)
        if w.isVisible()
    ]
    letters = [m.upper() for t in texts for m in re.findall(r"&([^&\s])", t.replace("&&", ""))]
    assert len(letters) == len(set(letters)), texts
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and widget.wordWrap():
            assert widget.height() >= widget.heightForWidth(widget.width()), widget.text()
        elif isinstance(widget, QLabel | QAbstractButton):
            assert widget.width() >= widget.sizeHint().width(), widget.text()


# The contract


def test_install_language_returns_the_language_and_qt_speaks_it_too(qtbot, english_afterwards):
    assert install_language("zh_CN") == "zh_CN"
    assert i18n.current() == "zh_CN"
    box = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.Cancel).text() == "取消"
    assert i18n._("Preferences") == "首选项"

    assert install_language("en") == "en"
    assert i18n.current() == "en"
    box = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.Cancel).text() == "Cancel"
    assert i18n._("Preferences") == "Preferences"


def help_of(args: list[str], **environ: str) -> str:
    """``python -m app ARGS``'s output, in a locale of ``environ`` only."""
    env = {k: v for k, v in os.environ.items() if k not in i18n.LOCALE_VARIABLES}
    env.update(environ)
    done = subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_language_option_gives_chinese_help():
    text = help_of(["--language", "zh_CN", "--help"], LANG="en_US.UTF-8")
    assert text.startswith("用法：poetry-downloader")
    assert "同时从多个诗歌服务器下载诗歌" in text
    assert "显示此帮助信息并退出" in text
    assert "\n位置参数：\n" in text and "\n选项：\n" in text
    assert "要加入列表并从中下载的诗歌服务器" in text
    assert "show this help" not in text


def test_a_chinese_locale_gives_chinese_help_and_language_option_overrides_it():
    assert "显示此帮助信息并退出" in help_of(["--help"], LANG="zh_CN.UTF-8")
    english = help_of(["--language=en", "--help"], LANG="zh_CN.UTF-8")
    assert "show this help message and exit" in english
    assert "用法" not in english


def test_a_bad_language_is_a_usage_error_in_the_locales_language():
    env = {k: v for k, v in os.environ.items() if k not in i18n.LOCALE_VARIABLES}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--language", "klingon"],
        cwd=ROOT,
        env={**env, "LANG": "zh_CN.UTF-8"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    # The program's name, as a terminal prints it, then argparse's own words in Chinese.
    assert "poetry-downloader: 错误：参数 --language：" in done.stderr
    assert "klingon" in done.stderr and "Traceback" not in done.stderr


# Without a font that can draw Chinese


@pytest.fixture
def no_cjk_font(tmp_path: Path) -> dict[str, str]:
    """An environment whose fontconfig knows no font at all, so none can draw Chinese."""
    (tmp_path / "fonts").mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><fontconfig>'
        f"<dir>{tmp_path / 'fonts'}</dir><cachedir>{tmp_path / 'cache'}</cachedir>"
        "</fontconfig>"
    )
    return {
        **os.environ,
        "FONTCONFIG_FILE": str(config),
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }


def test_without_a_chinese_font_the_window_speaks_english_and_says_why(tmp_path, no_cjk_font):
    probe = subprocess.run(
        [
            sys.executable, "-c",
            "from PyQt5.QtWidgets import QApplication; app = QApplication([]); "
            "from app.gui.i18n import can_draw; print(can_draw('zh_CN'), can_draw('en'))",
        ],
        cwd=ROOT, env=no_cjk_font, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert probe.stdout.split() == ["False", "True"]

    # The program itself: boxes help nobody, so it speaks English and logs why.
    window = subprocess.Popen(
        [sys.executable, "-m", "app", "--language", "zh_CN", "--config-dir", str(tmp_path / "c")],
        cwd=ROOT, env={**no_cjk_font, "LANG": "zh_CN.UTF-8"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    log_file = tmp_path / "state" / "poetry-downloader" / "poetry-downloader.log"
    try:
        deadline = time.monotonic() + 30
        while "No font can draw" not in (log_file.read_text() if log_file.exists() else ""):
            assert window.poll() is None, window.stderr.read() if window.stderr else ""
            assert time.monotonic() < deadline, "the window never said why it speaks English"
            time.sleep(0.1)
    finally:
        window.terminate()
        _out, err = window.communicate(timeout=30)
    assert window.returncode == 0, err
    line = next(x for x in log_file.read_text().splitlines() if "No font can draw" in x)
    assert "简体中文 (zh_CN), so the window speaks English" in line
    assert "fonts-noto-cjk" in line


# Preferences


def test_choosing_chinese_in_preferences_switches_now_and_is_saved(
    qtbot, window, english_afterwards
):
    dialog = open_dialog(qtbot, window, "actionPreferences", "preferencesDialog")
    combo = dialog.findChild(QComboBox, "languageCombo")
    assert [combo.itemText(n) for n in range(combo.count())] == [
        "System default (follow the locale)",
        "English",
        "简体中文",
    ]
    combo.setCurrentIndex(combo.findText("简体中文"))
    press(qtbot, dialog, QDialogButtonBox.Ok)

    assert i18n.current() == "zh_CN"
    assert settings_on_disk(qtbot, window).language == "zh_CN"
    dialog = open_dialog(qtbot, window, "actionPreferences", "preferencesDialog")
    assert dialog.windowTitle() == "首选项"
    combo = dialog.findChild(QComboBox, "languageCombo")
    assert combo.currentText() == "简体中文"
    assert combo.itemText(0) == "系统默认（跟随区域设置）"

    # Back to English, the same way.
    combo.setCurrentIndex(combo.findText("English"))
    press(qtbot, dialog, QDialogButtonBox.Ok)
    assert i18n.current() == "en"
    assert settings_on_disk(qtbot, window).language == "en"


def test_the_saved_language_is_read_back_and_a_mangled_one_follows_the_locale(
    qtbot, config_dir, english_afterwards
):
    from app.settings.store import load_settings, saved_language

    config_dir.mkdir(parents=True)
    (config_dir / FILE_NAME).write_text('{"version": 1, "language": "zh_CN"}')
    assert saved_language(config_dir) == "zh_CN"
    window = open_window(qtbot, config_dir)
    assert window.language == "zh_CN"
    window.close()
    for mangled in ('"klingon"', "42", "null", '["zh_CN"]'):
        (config_dir / FILE_NAME).write_text(f'{{"version": 1, "language": {mangled}}}')
        assert saved_language(config_dir) is None
        settings, message = load_settings(config_dir)
        assert settings.language is None and message is None
    (config_dir / FILE_NAME).write_text("{not json")
    assert saved_language(config_dir) is None
    assert (config_dir / FILE_NAME).exists()  # only looked at: load_settings sets it aside


def test_preferences_left_open_speaks_the_new_language(qtbot, window, english_afterwards):
    dialog = open_dialog(qtbot, window, "actionPreferences", "preferencesDialog")
    assert dialog.windowTitle() == "Preferences"
    install_language("zh_CN")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "首选项", timeout=2000)
    labels = {label.text() for label in dialog.findChildren(QLabel)}
    assert "同时连接数(&C)：" in labels
    assert button_texts(dialog) == {"确定", "取消"}
    install_language("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Preferences", timeout=2000)


# Each dialog under zh_CN


def test_preferences_in_chinese(qtbot, chinese, window):
    dialog = open_dialog(qtbot, window, "actionPreferences", "preferencesDialog")
    assert dialog.windowTitle() == "首选项"
    labels = {label.text() for label in dialog.findChildren(QLabel)}
    assert {"同时连接数(&C)：", "语言(&L)："} <= labels
    assert "超出上限的服务器以“排队中”状态等待，其他下载完成后依次开始。" in labels
    assert button_texts(dialog) == {"确定", "取消"}
    assert_nothing_cut(dialog)


def test_add_servers_in_chinese(qtbot, chinese, window):
    dialog = open_dialog(qtbot, window, "actionAddServers", "addServersDialog")
    assert dialog.windowTitle() == "添加服务器"
    problem = dialog.findChild(QLabel, "problemLabel")
    assert problem.text() == "请输入或粘贴至少一个地址。"
    assert dialog.findChild(QCheckBox, "startNowCheck").text() == "立即开始下载(&S)"
    assert button_texts(dialog) == {"确定(&O)", "取消"}
    assert_nothing_cut(dialog)

    qtbot.keyClicks(dialog.findChild(QWidget, "addressesEdit"), "10000 10001")
    assert problem.text() == "将添加 2 个服务器。"
    encoding = dialog.findChild(QComboBox, "encodingCombo")
    encoding.lineEdit().selectAll()
    qtbot.keyClicks(encoding.lineEdit(), "no-such-encoding")
    assert problem.text().startswith("编码：")
    press(qtbot, dialog, QDialogButtonBox.Cancel)


def test_failures_in_chinese(qtbot, chinese, window, servers):
    window.add_servers([local(servers.refused())])
    window.commands.start_all.trigger()
    dialog = failure_dialog(window)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.windowTitle() == "下载失败"
    assert dialog.findChild(QLabel, "failureSummary").text() == "1 个下载失败。"
    assert dialog.findChild(QWidget, "copyButton").text() == "复制(&C)"
    assert button_texts(dialog) == {"复制(&C)", "关闭"}
    assert_nothing_cut(dialog)

    window.commands.retry_failed.trigger()
    qtbot.waitUntil(
        lambda: "已重试" in dialog.findChild(QLabel, "failureSummary").text(), timeout=5000
    )
    summary = dialog.findChild(QLabel, "failureSummary").text()
    assert summary.startswith("1 个下载失败；其中 1 个已重试")


def test_demo_server_pace_in_chinese(qtbot, chinese, window):
    window.start_demo()
    dialog = open_dialog(qtbot, window, "actionDemoPace", "demoPaceDialog")
    assert dialog.windowTitle() == "演示服务器速度"
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert {"服务器", "写入间隔", "每次写入字节数", "单次下载用时"} <= set(labels)
    assert any("这正是 reactor 在起作用" in text for text in labels)
    estimates = [
        label.text()
        for label in dialog.findChildren(QLabel)
        if label.objectName().startswith("paceEstimate-")
    ]
    assert estimates and all(e == "全速" or e.startswith("约 ") for e in estimates)
    assert all(spin.suffix() == " 秒" for spin in dialog.findChildren(QDoubleSpinBox))
    assert button_texts(dialog) == {"确定", "应用", "关闭"}
    assert_nothing_cut(dialog)
    dialog.close()


def test_demo_server_pace_without_demo_servers_in_chinese(qtbot, chinese, window):
    dialog = open_dialog(qtbot, window, "actionDemoPace", "demoPaceDialog")
    text = dialog.findChild(QLabel, "paceNoServers").text()
    assert text.startswith("没有正在运行的演示服务器")
    assert_nothing_cut(dialog)
    dialog.close()


def test_about_in_chinese(qtbot, chinese, window):
    trigger(window, "actionAbout")
    box = window.findChild(QMessageBox, "messageBox")
    qtbot.waitExposed(box)
    assert box.windowTitle() == "关于诗歌下载器"
    assert box.text().startswith(
        "诗歌下载器 0.1.0\n\n在同一个事件循环中同时从多个诗歌服务器下载诗歌"
    )
    assert "Twisted 的 reactor" in box.text()
    box.close()


def test_a_damaged_settings_file_is_reported_in_chinese(qtbot, chinese, config_dir):
    config_dir.mkdir(parents=True)
    (config_dir / FILE_NAME).write_text("{not json")
    window = open_window(qtbot, config_dir)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "messageBox") is not None)
    box = window.findChild(QMessageBox, "messageBox")
    assert box.text().startswith(f"设置文件 {config_dir / FILE_NAME} 已损坏（不是 JSON 文本）。")
    assert box.text().endswith("将使用默认设置启动。")
    window.close()
