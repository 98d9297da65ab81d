"""``lianxin`` as a server clerk types it: ``--config`` before or after the command, and
every command that does not talk to Telegram runs without a bot token.

The configuration is a real server's: webhook mode, ``token = ""`` or no token at all (the
token itself is in the service's environment file, which a clerk's shell does not have).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot.cli import _parser, main

SAMPLE = Path(__file__).parents[1] / "bot" / "samples" / "roster"
SERVER_CONFIG = """
[telegram]
token = ""
mode = "webhook"
[webhook]
public_url = "https://lianxin.example.org/telegram"
[database]
path = "data/x.db"
"""
# Every command that reads or writes only the database and files, with its arguments;
# "{dir}" is the test's folder. `run`, `demo` and `sandbox` talk to a Bot API.
OFFLINE = {
    name: argv.split()
    for name, argv in {
        "db upgrade": "db upgrade",
        "db backup": "db backup {dir}/backup.db",
        "roster import": f"roster import {SAMPLE}",
        "roster export": "roster export {dir}/roster.xlsx",
        "cards": "cards --region T01 --out {dir}/c.csv --format csv --bot-username lianxin_bot",
        "cards revoke": "cards revoke --household H0001",
        "report": "report --from 2026-11-01 --to 2026-11-30 --region T01 --format csv "
        "--out {dir}/report.csv",
        "purge": "purge --dry-run",
        "inbox failed": "inbox failed",
        "inbox retry": "inbox retry",
        "status": "status",
    }.items()
}
ONLINE = {"run": ["run"], "demo": ["demo", "--no-play"], "sandbox": ["sandbox"]}
# A province's commands read [counties.<id>] (none here): tests/tenants/test_province.py.
PROVINCE = {
    "province stats": ["province", "stats"],
    "province report": ["province", "report", "--month", "2026-11", "--out", "p.xlsx"],
}


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert isinstance(exit_.value.code, int)
    return exit_.value.code, out + err


@pytest.fixture(params=['token = ""', "no token key"])
def config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Path:
    monkeypatch.delenv("LIANXIN_TOKEN", raising=False)
    monkeypatch.delenv("LIANXIN_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./config.toml to fall back on
    path = tmp_path / "etc" / "lianxin.toml"
    path.parent.mkdir()
    text = (
        SERVER_CONFIG
        if request.param.startswith("token")
        else SERVER_CONFIG.replace('token = ""\n', "")
    )
    path.write_text(text, encoding="utf-8")
    return path


def commands(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    """Every command the parser knows, at any depth ("db upgrade", "cards revoke" …)."""
    found = {prefix} if prefix and parser.get_default("command") is not None else set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found |= commands(child, f"{prefix} {name}".strip())
    return found


def test_every_command_is_tested_here() -> None:
    assert commands(_parser()) == set(OFFLINE) | set(ONLINE) | set(PROVINCE)


@pytest.mark.parametrize("name", sorted(OFFLINE | ONLINE | PROVINCE))
def test_config_is_read_before_or_after_any_command(name: str) -> None:
    argv = (OFFLINE | ONLINE | PROVINCE)[name]
    parser = _parser()
    assert parser.parse_args(["--config", "a.toml", *argv]).config == Path("a.toml")
    assert parser.parse_args([*argv, "--config", "b.toml"]).config == Path("b.toml")
    # The one after the command wins; the one before is not overwritten by its absence.
    assert parser.parse_args(["--config", "a", *argv, "--config", "b"]).config == Path("b")


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("name", sorted(OFFLINE))
def test_a_command_without_telegram_runs_without_a_token(
    config: Path, capsys: pytest.CaptureFixture[str], name: str, where: str
) -> None:
    assert run(capsys, "--config", config, "roster", "import", SAMPLE)[0] == 0
    argv = [a.replace("{dir}", str(config.parent)) for a in OFFLINE[name]]
    option = ["--config", str(config)]
    given = [*option, *argv] if where == "before" else [*argv, *option]
    code, said = run(capsys, *given)
    assert (code, "token" not in said) == (0, True), said
    assert "Traceback" not in said


def test_the_option_may_sit_between_a_command_and_its_arguments(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, said = run(capsys, "roster", "import", "--config", config, SAMPLE)
    assert code == 0, said
    assert "农户：新增 12" in said
    assert (config.parent / "data" / "x.db").exists()  # relative to the file, not the shell


def test_run_with_the_option_after_it_names_the_missing_token(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, said = run(capsys, "run", "--config", config)
    assert code == 2
    assert said.strip() == (
        "lianxin: telegram.token: missing; put it in the file or set LIANXIN_TOKEN"
    )


def test_status_without_a_database_says_so_and_exits_1(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, said = run(capsys, "status", "--config", config)
    assert code == 1
    assert (
        said.strip()
        == f"lianxin: {config.parent / 'data' / 'x.db'}：这里没有数据库（请检查 database.path）"
    )


def test_a_fresh_database_is_healthy(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "db", "upgrade", "--config", config)[0] == 0
    code, said = run(capsys, "status", "--config", config, "--limit", "5m")
    assert code == 0
    assert said.splitlines()[0] == "结论：正常（ok）"
    code, said = run(capsys, "status", "--config", config, "--limit", "soon")
    assert code == 2
    assert "--limit: invalid duration value: 'soon'" in said
