"""Any scale (issue 19.6): at QT_SCALE_FACTOR=2 on a 1440×900 screen (720×450 of
Qt's pixels) the window opens inside the screen, also when it remembers a size
from a bigger screen, and the inbox rows take the list's width: no sideways
scroll bar, nothing cut off.  Each window runs in a process of its own, where
Qt starts at that scale on that screen."""

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from PySide6.QtCore import QRect

from snorq_desktop.ui.window_fit import fit_into

SCREEN = {"name": "laptop", "x": 0, "y": 0, "width": 1440, "height": 900}


def _open_scaled(tmp_path, database_url, home: str, saved: str = "") -> dict[str, Any]:
    screen = tmp_path / "screen.json"
    screen.write_text(json.dumps({"screens": [{**SCREEN, "logicalDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM=f"offscreen:configfile={screen}")
    url = database_url.render_as_string(hide_password=False)
    arguments = [url, str(tmp_path / home), *([saved] if saved else [])]
    done = subprocess.run(
        [sys.executable, "-m", "tests.e2e.scaled_window", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _inside(inner: list[int], outer: list[int]) -> bool:
    return QRect(*outer).contains(QRect(*inner))


@pytest.mark.parametrize(
    "saved", ["", "100,100,1400,880", "900,600,1180,760"], ids=["first", "big", "off-edge"]
)
def test_at_200_percent_the_window_opens_inside_the_screen(shop, database_url, tmp_path, saved):
    shop.add_conversations(6, unread=3, prefix="Maria Fernanda da Silva Albuquerque")
    seen = _open_scaled(tmp_path, database_url, "home", saved)
    assert seen["screen"] == [0, 0, 720, 450]  # 1440×900 at 200 %
    assert _inside(seen["window"], seen["screen"]), seen
    assert seen["rows"] == 6
    assert not seen["horizontal_bar"], seen
    assert seen["row"][2] == seen["inbox_width"], seen  # the row is as wide as the list


def test_a_window_too_big_for_the_screen_is_moved_then_shrunk(qapp):
    screen = QRect(0, 24, 720, 426)  # below a top panel
    assert fit_into(QRect(900, 600, 1180, 760), screen) == screen
    assert fit_into(QRect(300, 300, 400, 300), screen) == QRect(300, 150, 400, 300)
    assert fit_into(QRect(10, 40, 400, 300), screen) == QRect(10, 40, 400, 300)
