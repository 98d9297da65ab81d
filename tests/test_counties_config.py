"""Several counties in one configuration file: ``[counties.<id>]`` over the shared
sections, picked by ``--county``; a file without counties reads as it always has."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_config

TWO_COUNTIES = """
[general]
timezone = "Asia/Shanghai"
language = "zh"
[database]
url = "postgresql://lianxin:secret@127.0.0.1/province"
[deadlines]
remind_before = "2h"
[counties.heping.telegram]
token = "111:aaaa"
[counties.heping.general]
admins = [7]
[counties.lianping]
general = { timezone = "Asia/Urumqi" }
[counties.lianping.database]
schema = "lp"
[province]
name = "某省"
"""


@pytest.fixture
def two(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(TWO_COUNTIES, encoding="utf-8")
    return path


def test_a_county_overrides_the_shared_sections_key_by_key(two: Path) -> None:
    heping = load_config(two, environ={}, county="heping")
    assert heping.county == "heping"
    assert heping.counties == ("heping", "lianping")
    assert heping.database.schema_name == "county_heping"  # the default: county_<id>
    assert heping.database.url.endswith("/province")  # shared
    assert heping.general.admins == [7]
    assert heping.general.timezone == "Asia/Shanghai"  # shared, not replaced by admins
    assert heping.token() == "111:aaaa"
    lianping = load_config(two, environ={}, county="lianping")
    assert lianping.database.schema_name == "lp"
    assert lianping.general.timezone == "Asia/Urumqi"
    assert lianping.general.admins == []


def test_each_county_has_its_own_token_variable(two: Path) -> None:
    env = {"LIANXIN_TOKEN": "999:shared", "LIANXIN_TOKEN_LIANPING": "222:bbbb"}
    assert load_config(two, environ=env, county="lianping").token() == "222:bbbb"
    assert load_config(two, environ=env, county="heping").token() == "111:aaaa"
    # The one-county variable never becomes a county's token: two bots on one token.
    with pytest.raises(ConfigError, match="LIANXIN_TOKEN_LIANPING"):
        load_config(two, environ={"LIANXIN_TOKEN": "999:shared"}, county="lianping").token()


def test_the_shared_token_is_not_inherited(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[telegram]\ntoken = "1:x"\n[counties.a]\n[counties.b]\n', encoding="utf-8")
    assert load_config(path, environ={}, county="a").telegram.token is None


def test_each_county_has_its_own_folder_and_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[database]\npath = "data/lianxin.db"\n[counties.a]\n'
        '[counties.b.database]\npath = "b/own.db"\n',
        encoding="utf-8",
    )
    a = load_config(path, environ={}, county="a").database.path
    b = load_config(path, environ={}, county="b").database.path
    assert a == (tmp_path / "data" / "a" / "lianxin.db").resolve()
    assert b == (tmp_path / "b" / "own.db").resolve()


def test_an_unknown_county_is_one_line_naming_the_configured(two: Path) -> None:
    with pytest.raises(ConfigError) as found:
        load_config(two, environ={}, county="nowhere")
    assert found.value.problems == [
        f"{two}: --county nowhere: not configured; configured: heping, lianping"
    ]


def test_a_county_error_names_the_county(two: Path) -> None:
    two.write_text(TWO_COUNTIES + "[counties.heping.stats]\nbogus = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as found:
        load_config(two, environ={}, county="heping")
    assert found.value.problems == [
        f"{two} [counties.heping]: stats.bogus: unknown key (misspelt, or in the wrong [section]?)"
    ]


def test_bad_county_ids_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[counties.He-Ping]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"counties\.He-Ping: a county id"):
        load_config(path, environ={})


def test_the_province_section(two: Path) -> None:
    config = load_config(two, environ={})
    assert config.province.name == "某省"
    assert config.county == ""
    assert config.counties == ("heping", "lianping")


def test_without_counties_nothing_changes(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[database]\npath = "x.db"\n', encoding="utf-8")
    config = load_config(path, environ={"LIANXIN_TOKEN": "1:x"})
    assert config.county == ""
    assert config.counties == ()
    assert config.database.schema_name == "public"
    assert config.token() == "1:x"
    with pytest.raises(ConfigError, match="not configured; configured: none"):
        load_config(path, environ={}, county="a")


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert isinstance(exit_.value.code, int)
    return exit_.value.code, out + err


@pytest.mark.parametrize("command", [["db", "upgrade"], ["status"], ["run"]])
def test_the_command_line_wants_a_configured_county(
    two: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    code, said = run(capsys, *command, "--config", two, "--county", "nowhere")
    assert code == 2
    assert said.strip() == (
        f"lianxin: {two}: --county nowhere: not configured; configured: heping, lianping"
    )
    code, said = run(capsys, *command, "--config", two)
    assert code == 2
    assert said.strip() == (
        f"lianxin: {two}: configures counties heping, lianping: pick one with --county ID"
    )


def test_county_before_or_after_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[counties.a]\n[counties.b]\n", encoding="utf-8")
    code, said = run(capsys, "--county", "b", "db", "upgrade", "--config", path)
    assert code == 0, said
    assert f"{tmp_path / 'b' / 'lianxin.db'}: schema version" in said
    assert (tmp_path / "b" / "lianxin.db").exists()
    assert not (tmp_path / "a").exists()


def test_the_readme_s_counties_example_loads(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Several counties on one database") :]
    block = section[section.index("```toml\n") + 8 : section.index("```\n", 8)]
    path = tmp_path / "config.toml"
    path.write_text(block, encoding="utf-8")
    env = {"LIANXIN_TOKEN_HEPING": "1:a", "LIANXIN_TOKEN_LIANPING": "2:b"}
    heping = load_config(path, environ=env, county="heping")
    lianping = load_config(path, environ=env, county="lianping")
    assert (heping.database.schema_name, lianping.database.schema_name) == (
        "county_heping",
        "county_lianping",
    )
    assert (heping.token(), lianping.token()) == ("1:a", "2:b")
    assert lianping.deadlines.acknowledge.total_seconds() == 12 * 3600
    assert load_config(path, environ=env).province.name == "某省"


def test_the_province_s_own_bot_has_its_schema_folder_and_token(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[telegram]\ntoken = "1:shared"\n[database]\npath = "data/lianxin.db"\n'
        "[province]\nsupervisors = [9001, 9002]\n[counties.a]\n",
        encoding="utf-8",
    )
    config = load_config(path, environ={}, province=True)
    assert config.is_province
    assert config.province.supervisors == [9001, 9002]
    assert config.database.schema_name == "province"
    assert config.database.path == (tmp_path / "data" / "province" / "lianxin.db").resolve()
    # Never the counties' shared token: the province's own, from its variable or [province].
    with pytest.raises(ConfigError, match="LIANXIN_TOKEN_PROVINCE"):
        config.token()
    env = {"LIANXIN_TOKEN": "1:shared", "LIANXIN_TOKEN_PROVINCE": "3:prov"}
    assert load_config(path, environ=env, province=True).token() == "3:prov"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "supervisors", 'token = "4:own"\nschema = "sheng"\nsupervisors'
        ),
        encoding="utf-8",
    )
    own = load_config(path, environ={}, province=True)
    assert (own.token(), own.database.schema_name) == ("4:own", "sheng")


def test_a_province_bot_needs_counties_and_is_not_a_county(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[province]\nsupervisors = [1]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"no \[counties\.<id>\] tables"):
        load_config(path, environ={}, province=True)
    path.write_text("[counties.a]\n[counties.province]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"counties\.province: the name of the province's"):
        load_config(path, environ={})
    path.write_text("[counties.a]\n[province]\nsupervisors = [-5]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"province.supervisors.0"):
        load_config(path, environ={}, province=True)
    path.write_text("[counties.a]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="one or the other"):
        load_config(path, environ={}, county="a", province=True)


def test_the_province_bot_counts_its_buttons_every_refresh(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[counties.a]\n[province]\nsupervisors = [1]\n", encoding="utf-8")
    assert load_config(path, environ={}).province.refresh == timedelta(minutes=10)
    for given, found in (('"30m"', timedelta(minutes=30)), ('"0s"', timedelta())):
        path.write_text(f"[counties.a]\n[province]\nrefresh = {given}\n", encoding="utf-8")
        assert load_config(path, environ={}).province.refresh == found
    path.write_text('[counties.a]\n[province]\nrefresh = "5s"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"province.refresh: .*at least \"1m\""):
        load_config(path, environ={})


def test_run_province_without_a_token_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LIANXIN_TOKEN_PROVINCE", raising=False)
    path = tmp_path / "c.toml"
    path.write_text("[counties.a]\n[province]\nsupervisors = [1]\n", encoding="utf-8")
    code, said = run(capsys, "run", "--province", "--config", path)
    assert code == 2
    assert said.strip() == (
        "lianxin: province.token: missing; put it in [province] or set LIANXIN_TOKEN_PROVINCE"
    )
