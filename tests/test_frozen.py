"""The bundle's one executable runs the program its name says, and the window otherwise."""

from __future__ import annotations

import pytest

from app import frozen
from app.__main__ import main as window_main
from app.cli.get import main as get_main
from app.cli.serve import main as serve_main


@pytest.mark.parametrize(
    ("argv0", "program"),
    [
        ("poetry-get", "poetry-get"),
        ("/opt/poetry downloader/poetry-server", "poetry-server"),
        ("./poetry-downloader", "poetry-downloader"),
        ("/home/me/bin/poems", "poetry-downloader"),  # a renamed launcher opens the window
        ("poetry-get-old", "poetry-downloader"),
        ("", "poetry-downloader"),
    ],
)
def test_the_name_started_as_chooses_the_program(argv0: str, program: str) -> None:
    assert frozen.program_name(argv0) == program


def test_each_name_runs_its_own_entry_point() -> None:
    assert frozen.entry_point("poetry-get") is get_main
    assert frozen.entry_point("poetry-server") is serve_main
    assert frozen.entry_point("poetry-downloader") is window_main


def test_the_rest_of_the_command_line_reaches_the_program(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["/bundle/poetry-server", "--version"])
    with pytest.raises(SystemExit) as exit_info:
        frozen.main()
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("poetry-server ")
