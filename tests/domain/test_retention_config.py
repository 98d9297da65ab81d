"""``[retention]``: the documented defaults, and values that would break something refused
with one line naming the key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_file_documents_the_defaults() -> None:
    example = load_config(ROOT / "config.example.toml", environ={}).retention
    assert example == load_config(None, environ={}).retention
    assert (example.messages, example.files, example.strangers, example.sweep_every) == (
        timedelta(days=90), timedelta(days=1), timedelta(days=30), timedelta(days=1)
    )  # fmt: skip


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('messages = "1d"', 'retention.messages: must be at least "2d" (Telegram may deliver'),
        ('files = "10s"', 'retention.files: must be at least "1m"'),
        ('strangers = "12h"', 'retention.strangers: must be at least "1d"'),
        ('sweep_every = "0s"', "retention.sweep_every: must be at least 1s"),
        ('messages = "90"', 'retention.messages: "90" is not a duration'),
    ],
)
def test_a_retention_that_would_break_something_is_refused(
    tmp_path: Path, line: str, says: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[retention]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(f"{path}: {says}")
