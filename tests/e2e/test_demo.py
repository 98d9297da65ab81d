"""``lianxin demo --no-play``: the scripted scene runs to its end and prints a clean transcript."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import Texts
from tests.e2e.support import lianxin


async def test_the_demo_scene_plays_and_exits(tmp_path: Path) -> None:
    demo = await lianxin("demo", "--no-play", "--dir", str(tmp_path / "demo"))
    stdout, stderr = demo.stdout, demo.stderr

    assert demo.code == 0, demo.output
    assert "Traceback" not in stdout
    welcome = Texts("zh")("start.welcome", name="王秀英")
    said = stdout.index("[王秀英 → 连心] /start")
    answered = stdout.index(f"[连心 → 王秀英] {welcome}")
    assert said < answered
    assert "[连心 → 李书记(管理员)]" in stdout  # the scene plays to its last line
    assert (tmp_path / "demo" / "demo.db").exists()
    # Stopping once left the database inside a transaction ("cannot start a transaction
    # within a transaction" and a traceback at the end of about half the runs).
    assert "Traceback" not in stderr, stderr
