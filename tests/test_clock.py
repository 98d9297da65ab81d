"""The clocks the bot can run on: the wall clock, and the wall clock shifted for tests."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import CLOCK_OFFSET_ENV, main
from bot.clock import OffsetClock, SystemClock

DAY = timedelta(days=1)


def test_an_offset_clock_keeps_ticking_a_fixed_step_ahead_of_the_wall() -> None:
    clock = OffsetClock.parse("86400")
    before = SystemClock().now()
    first = clock.now()
    second = clock.now()
    after = SystemClock().now()
    assert before + DAY <= first <= second <= after + DAY
    assert OffsetClock.parse("-1.5").offset == timedelta(seconds=-1.5)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("tomorrow", "not a number of seconds"),
        ("nan", "not a number of seconds"),
        ("inf", "not a number of seconds"),
        ("1e300", "not within 36600 days"),
    ],
)
def test_a_malformed_offset_is_refused(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        OffsetClock.parse(text)


async def _must_not_start(*_: object) -> None:
    raise AssertionError("the bot started on a clock it could not read")


def test_run_refuses_a_malformed_offset_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[telegram]\ntoken = "7654321:AAsecret"\n', encoding="utf-8")
    monkeypatch.delenv("LIANXIN_TOKEN", raising=False)
    monkeypatch.setenv(CLOCK_OFFSET_ENV, "next tuesday")
    monkeypatch.setattr("bot.edge.runtime.run_until_stopped", _must_not_start)
    with pytest.raises(SystemExit) as exit_:
        main(["--config", str(config), "run"])
    assert exit_.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"lianxin: {CLOCK_OFFSET_ENV}='next tuesday': not a number of seconds"
        " (e.g. 86400 for one day ahead)"
    ]
