"""The log file never goes quiet: a rotation that fails costs no line, and says so once.

A directory planted where the oldest rotated file goes makes every
rotation fail. Each test runs in a child process, since a process begins
its file log only once, and logs through ``twisted.logger`` as the program
does; with no reactor there, each line is written at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from app.log import LOG_FILE_NAME
from app.log_rotation import CAP_BYTES, RETRY_BYTES, ROTATE_BYTES

REPO = Path(__file__).resolve().parents[1]
#: At most the bytes of a test line: its time, "INFO     before 123 " and 150 x's.
LINE_BYTES = 200
ROTATED = f"{LOG_FILE_NAME}.1"

#: Logs ``before N`` lines for ``before`` bytes, removes the planted directory, then
#: logs ``after N`` lines for ``after`` bytes; prints the files and the log's own records.
CHILD = """
    import json, shutil
    from pathlib import Path
    from twisted.logger import Logger
    from app.log import record_hub, start_file_log

    state = Path({state!r})
    said = []
    record_hub.follow(
        lambda record: record.namespace == "test" or said.append([record.level.name, record.text])
    )
    path, problem = start_file_log(state)
    assert problem is None, problem
    log = Logger(namespace="test")
    for n in range({before} // {line_bytes}):
        log.info("before {{n}} " + "x" * 150, n=n)
    sizes = {{p.name: p.stat().st_size for p in state.iterdir() if p.is_file()}}
    shutil.rmtree({planted!r})
    for n in range({after} // {line_bytes}):
        log.info("after {{n}} " + "x" * 150, n=n)
    files = {{p.name: p.read_text() for p in state.iterdir()}}
    print(json.dumps({{"sizes": sizes, "files": files, "said": said}}))
"""


def log_around_a_planted_directory(tmp_path: Path, before: int, after: int) -> Any:
    """Log ``before`` bytes with a directory at the last rotation name, ``after`` bytes without."""
    state = tmp_path / "state"
    planted = state / f"{LOG_FILE_NAME}.5"
    planted.mkdir(parents=True)
    (planted / "someone else's").write_text("not ours to remove")
    code = CHILD.format(
        state=str(state), planted=str(planted), before=before, after=after, line_bytes=LINE_BYTES
    )
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def numbers(text: str, word: str) -> set[int]:
    """The N of every ``word N`` test line in ``text``."""
    marker = f"INFO     {word} "
    lines = (line for line in text.splitlines() if marker in line)
    return {int(line.split(marker, 1)[1].split()[0]) for line in lines}


def test_a_directory_planted_at_the_last_rotation_name_never_silences_the_log(tmp_path):
    before, after = ROTATE_BYTES * 3 // 2, RETRY_BYTES * 2
    result = log_around_a_planted_directory(tmp_path, before, after)
    files, said = result["files"], result["said"]
    planted = str(tmp_path / "state" / f"{LOG_FILE_NAME}.5")

    # Every line past the rotation size still reached the file (rotated since).
    assert numbers(files[ROTATED], "before") == set(range(before // LINE_BYTES))
    # One warning said so, naming the path in the way, in the log and in the file.
    warnings = [text for level, text in said if level == "warn"]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("Log rotation failed: ") and planted in warnings[0]
    assert warnings[0] in files[ROTATED]
    # Once the directory was gone the file rotated again by itself, and logging went on.
    live = tmp_path / "state" / LOG_FILE_NAME
    assert ["info", f"Log rotation works again: {live} rotated"] in said
    afterwards = numbers(files[LOG_FILE_NAME], "after") | numbers(files[ROTATED], "after")
    assert afterwards == set(range(after // LINE_BYTES))
    assert "dropped" not in files[LOG_FILE_NAME]  # nothing was lost


def test_past_the_cap_lines_are_counted_and_the_next_file_says_how_many(tmp_path):
    before, after = CAP_BYTES + ROTATE_BYTES // 2, RETRY_BYTES * 2
    result = log_around_a_planted_directory(tmp_path, before, after)
    files, sizes = result["files"], result["sizes"]

    # The live file grew past its size, to the cap and no more than a line past it.
    assert CAP_BYTES <= sizes[LOG_FILE_NAME] <= CAP_BYTES + LINE_BYTES
    # The oldest lines were kept, the newest counted; once the file could rotate again,
    # the new one opens with how many never reached it.
    kept = numbers(files[ROTATED], "before")
    assert kept == set(range(len(kept)))
    kept_after = numbers(files[ROTATED], "after") | numbers(files[LOG_FILE_NAME], "after")
    dropped = before // LINE_BYTES - len(kept) + after // LINE_BYTES - len(kept_after)
    assert dropped > 0
    first = files[LOG_FILE_NAME].splitlines()[0]
    assert first.endswith(
        f"WARNING  {dropped} log lines were dropped: the log file could not be rotated"
    ), first
