"""Configuration: defaults, the example file, and one clear line per problem."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.durations import format_duration, parse_duration

ROOT = Path(__file__).resolve().parents[2]
SECRET = "123456:SECRET-token_value"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_loads_with_documented_defaults() -> None:
    config = load_config(ROOT / "config.example.toml", environ={})
    assert config.general.timezone == "Asia/Shanghai"
    assert config.general.language == "zh"
    assert config.telegram.mode == "polling"
    assert config.sender.per_chat_interval == timedelta(seconds=1.05)
    assert config.database.path == (ROOT / "lianxin.db").resolve()


def test_token_comes_from_the_environment() -> None:
    config = load_config(None, environ={"LIANXIN_TOKEN": SECRET})
    assert config.token() == SECRET


def test_missing_token_is_named_when_needed() -> None:
    config = load_config(None, environ={})
    with pytest.raises(ConfigError) as caught:
        config.token()
    assert caught.value.problems == [
        "telegram.token: missing; put it in the file or set LIANXIN_TOKEN"
    ]


def test_every_problem_reported_at_once_naming_its_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[telegram]\ntoken = "not a token"\nmode = "carrier-pigeon"\npoll_timeout = 50\n'
        '[general]\ntimezone = "Mars/Olympus"\nlanguage = "fr"\nadmins = ["me"]\ncolour = 1\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    keys = [line.split(": ")[1] for line in caught.value.problems]
    assert keys == [
        "telegram.token",
        "telegram.mode",
        "telegram.poll_timeout",
        "general.timezone",
        "general.language",
        "general.admins[0]",
        "general.colour",
    ]
    assert all(line.startswith(str(path)) for line in caught.value.problems)


def test_a_bad_token_is_never_echoed(tmp_path: Path) -> None:
    bad = "123456:has spaces-and-secret-bits"
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, f'[telegram]\ntoken = "{bad}"\n'), environ={})
    assert "secret-bits" not in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load_config(None, environ={"LIANXIN_TOKEN": bad})
    assert "secret-bits" not in str(caught.value)


def test_syntax_error_and_missing_file_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "[telegram\n"), environ={})
    assert len(caught.value.problems) == 1
    assert "not valid TOML" in caught.value.problems[0]
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.toml", environ={})
    assert caught.value.problems == [f"{tmp_path / 'nope.toml'}: file not found"]


def test_webhook_mode_needs_a_public_https_address(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, '[telegram]\nmode = "webhook"\n'), environ={})
    assert "webhook.public_url" in caught.value.problems[0]


def test_a_guessable_webhook_secret_is_refused_in_one_line(tmp_path: Path) -> None:
    for secret in ("abc", "has spaces in it, sixteen+", "x" * 257):
        text = f'[webhook]\nsecret_token = "{secret}"\n'
        with pytest.raises(ConfigError) as caught:
            load_config(write(tmp_path, text), environ={})
        assert len(caught.value.problems) == 1
        assert "webhook.secret_token: must be 16 to 256 characters" in caught.value.problems[0]
        assert secret not in caught.value.problems[0]
    empty = load_config(write(tmp_path, '[webhook]\nsecret_token = ""\n'), environ={})
    assert empty.webhook.secret_token is None  # none configured: a random one at start


def test_database_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[database]\npath = "data/x.db"\n'), environ={})
    assert config.database.path == (tmp_path / "data" / "x.db").resolve()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
        ("1h30m", timedelta(minutes=90)),
        ("1.5s", timedelta(seconds=1.5)),
    ],
)
def test_durations_need_units(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["90", "", "2 hours", "h", "3x", 5])
def test_durations_without_units_are_refused(text: object) -> None:
    with pytest.raises(ValueError, match="unit"):
        parse_duration(text)


def test_format_duration_round_trips() -> None:
    for text in ("90s", "30m", "2h", "7d"):
        assert format_duration(parse_duration(text)) == text


def test_stats_bounds_are_whole_days_and_limits_sane(tmp_path: Path) -> None:
    config = load_config(None, environ={})
    assert config.stats.bounds().max_days == 366
    assert str(config.stats.earliest) == "2000-01-01"
    text = '[stats]\nmax_period = "12h"\nearliest = "long ago"\nper_minute = 0\nworkers = 99\n'
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), environ={})
    keys = [line.split(": ")[1] for line in caught.value.problems]
    assert keys == ["stats.max_period", "stats.earliest", "stats.per_minute", "stats.workers"]
    assert 'whole days from "1d"' in caught.value.problems[0]
