"""``lianxin run`` with a wrong configuration: one plain line per problem, no traceback, no token.

Each case starts the real command line in its own process, as an administrator would.
"""

from __future__ import annotations

from pathlib import Path

from bot.sandbox.server import Sandbox
from tests.e2e.support import Outcome, lianxin

FILE_SECRET = "AAfileSecret-9f8e7d"
ENV_SECRET = "AAenvSecret_1a2b3c"
MISTAKES = f"""
[telegram]
token = "8123456:{FILE_SECRET} oops"
mode = "webhook"
colour = "blue"

[webhook]
port = -8443

[general]
timezone = "Asia/Shanghia"
language = "fr"

[sender]
per_chat_interval = "1"
"""
# The key each mistake above must be reported under, one line each.
MISTAKEN_KEYS = {
    "telegram.token",
    "telegram.colour",
    "webhook.port",
    "webhook.public_url",  # webhook mode without the address Telegram calls
    "general.timezone",
    "general.language",
    "sender.per_chat_interval",
}


async def run(config: Path, cwd: Path, token: str | None = None) -> Outcome:
    """``lianxin --config CONFIG run`` started in ``cwd``."""
    return await lianxin("--config", str(config), "run", token=token, cwd=cwd)


def assert_plain(outcome: Outcome, *secrets: str) -> None:
    """No traceback, and no secret (nor the token's digits-and-secret form) anywhere."""
    both = outcome.output
    assert "Traceback" not in both, both
    for secret in secrets:
        assert secret not in both, both


async def test_every_mistake_gets_one_line_naming_its_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(MISTAKES, encoding="utf-8")
    outcome = await run(config, tmp_path)

    assert outcome.code == 2
    assert outcome.stdout == ""
    prefix = f"lianxin: {config}: "
    assert all(line.startswith(prefix) for line in outcome.lines), outcome.stderr
    keys = [line.removeprefix(prefix).split(":")[0] for line in outcome.lines]
    assert sorted(keys) == sorted(MISTAKEN_KEYS), outcome.stderr
    assert "Asia/Shanghia" in outcome.stderr  # says what was wrong, not only where
    assert_plain(outcome, FILE_SECRET)


async def test_a_token_from_the_environment_is_checked_and_never_shown(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "7654321:{FILE_SECRET}"\n\n[general]\nlanguage = "fr"\n',
        encoding="utf-8",
    )
    outcome = await run(config, tmp_path, token=f"424242:{ENV_SECRET} with spaces")

    assert outcome.code == 2
    keys = sorted(line.split(": ")[2] for line in outcome.lines)
    assert keys == ["general.language", "telegram.token"], outcome.stderr
    assert_plain(outcome, FILE_SECRET, ENV_SECRET)


async def test_a_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[general]\ntimezone = "Asia/Shanghai"\n', encoding="utf-8")
    outcome = await run(config, tmp_path)

    assert outcome.code == 2
    assert len(outcome.lines) == 1, outcome.stderr
    assert "telegram.token: missing" in outcome.lines[0]
    assert "LIANXIN_TOKEN" in outcome.lines[0]  # says where to put it
    assert_plain(outcome)


async def test_a_missing_config_file_is_one_clear_line(tmp_path: Path) -> None:
    config = tmp_path / "nowhere" / "config.toml"
    outcome = await run(config, tmp_path, token=f"7654321:{ENV_SECRET}")

    assert outcome.code == 2
    assert outcome.lines == [f"lianxin: {config}: file not found"]
    assert_plain(outcome, ENV_SECRET)


async def test_a_token_telegram_refuses_stops_the_bot_plainly(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[telegram]
token = "7654321:{FILE_SECRET}"
base_url = "{sandbox.base_url}"
base_file_url = "{sandbox.base_file_url}"
""",
        encoding="utf-8",
    )
    outcome = await run(config, tmp_path)

    assert outcome.code != 0
    assert any("Telegram refused this token" in line for line in outcome.lines), outcome.stderr
    assert_plain(outcome, FILE_SECRET, "7654321")
