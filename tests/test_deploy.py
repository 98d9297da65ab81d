"""The server set-up of deploy/ and README's "Install on a server": the README shows the
files as they are, the units pass ``systemd-analyze verify``, the nginx snippet passes
``nginx -t`` and forwards only the webhook, the examples load, and the daily backup keeps
the newest copies.

In CI (CI=true) a missing nginx, openssl or systemd-analyze fails the checks that need
it (.ci/run installs them from Debian's packages); elsewhere they are skipped, saying so.
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import os
import re
import shlex
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from bot import cli
from bot.config import TOKEN_ENV, load_config

ROOT = Path(__file__).parents[1]
DEPLOY = ROOT / "deploy"
README = ROOT / "README.md"
BINARY = "/opt/lianxin/.venv/bin/lianxin"
UNITS = ("lianxin.service", "lianxin@.service", "lianxin-backup.service", "lianxin-backup.timer")
# <!-- deploy/NAME --> on the line before a fenced block: the block shows that file.
SHOWN = re.compile(r"^<!-- (deploy/[\w.@-]+) -->\n```[\w-]*\n(.*?)^```$", re.M | re.S)


def tool(name: str, package: str) -> str:
    """The path of ``name``; in CI a missing one fails, elsewhere it skips."""
    found = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None
    )
    if found:
        return found
    why = f"{name} is not installed (Debian package {package}; .ci/run installs it)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI: {why}")
    pytest.skip(why)


def exec_start(unit: str) -> list[str]:
    lines = (DEPLOY / unit).read_text(encoding="utf-8").splitlines()
    [line] = [line for line in lines if line.startswith("ExecStart=")]
    return shlex.split(line.removeprefix("ExecStart="))


def env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (# comments, blanks)."""
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#"))  # fmt: skip
    return {key.strip(): value.strip() for key, value in pairs}


# --- The README shows the files as they are ---------------------------------------------


def test_every_file_the_readme_shows_is_the_file_in_deploy() -> None:
    shown = SHOWN.findall(README.read_text(encoding="utf-8"))
    assert shown, "no <!-- deploy/... --> block in README.md"
    for name, text in shown:
        assert (ROOT / name).exists(), f"README shows {name}, which does not exist"
        assert text == (ROOT / name).read_text(encoding="utf-8"), f"README's {name} differs"
    assert {name for name, _ in shown} == {f"deploy/{p.name}" for p in DEPLOY.iterdir()}


def test_a_block_that_drifted_from_its_file_is_caught() -> None:
    readme = README.read_text(encoding="utf-8")
    drifted = readme.replace("UMask=0077\n", "UMask=0022\n", 1)
    assert drifted != readme
    assert any(
        text != (ROOT / name).read_text(encoding="utf-8") for name, text in SHOWN.findall(drifted)
    )


# --- The examples load, and agree with each other ---------------------------------------


def test_the_server_config_and_env_file_load_as_the_bot_reads_them() -> None:
    env = env_file(DEPLOY / "lianxin.env.example")
    assert list(env) == [TOKEN_ENV]
    config = load_config(DEPLOY / "config.example.toml", environ=env)
    assert config.token() == env[TOKEN_ENV]
    assert config.telegram.token is not None  # from the environment, not from the file
    assert "token" not in tomllib.loads((DEPLOY / "config.example.toml").read_text())["telegram"]
    # The only place the units let the bot write.
    assert config.database.path == Path("/var/lib/lianxin/lianxin.db")
    unit = (DEPLOY / "lianxin.service").read_text(encoding="utf-8")
    assert "ReadWritePaths=/var/lib/lianxin\n" in unit
    assert "EnvironmentFile=/etc/lianxin/lianxin.env\n" in unit


def test_the_server_config_loads_in_webhook_mode_too(tmp_path: Path) -> None:
    text = (DEPLOY / "config.example.toml").read_text(encoding="utf-8")
    webhook = tmp_path / "config.toml"
    webhook.write_text(text.replace('mode = "polling"', 'mode = "webhook"', 1), encoding="utf-8")
    config = load_config(webhook, environ={})
    assert config.telegram.mode == "webhook"
    assert config.webhook.public_url.endswith(config.webhook.path)


def test_nginx_forwards_the_webhook_path_to_where_the_bot_listens() -> None:
    hook = load_config(DEPLOY / "config.example.toml", environ={}).webhook
    nginx = (DEPLOY / "nginx-lianxin.conf").read_text(encoding="utf-8")
    assert f"location = {hook.path} {{" in nginx
    assert re.findall(r"proxy_pass (\S+);", nginx) == [f"http://{hook.listen}:{hook.port}"]
    ports = {int(p) for p in re.findall(r"listen (?:\[::\]:)?(\d+)", nginx)}
    assert ports <= {443, 80, 88, 8443}  # the only ports Telegram calls a webhook on


def test_the_units_run_the_commands_lianxin_has() -> None:
    run = exec_start("lianxin.service")
    assert run[0] == BINARY
    args = cli._parser().parse_args(run[1:])
    assert args.command is cli._run
    assert args.config == Path("/etc/lianxin/config.toml")
    county = exec_start("lianxin@.service")
    args = cli._parser().parse_args([a.replace("%i", "heping") for a in county[1:]])
    assert (args.command, args.county) == (cli._run, "heping")
    backup = cli._parser().parse_args(exec_start("lianxin-backup.service")[1:])
    assert backup.command is cli._db_backup
    assert (backup.into, backup.keep) == (Path("/var/lib/lianxin/backups"), 14)


# --- The daily backup, and its retention ---------------------------------------------------


@pytest.fixture
def database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        '[database]\npath = "data/lianxin.db"\n[general]\nlanguage = "en"\n', encoding="utf-8"
    )
    assert lianxin(config, capsys, "db", "upgrade")[0] == 0
    return config


def lianxin(
    config: Path, capsys: pytest.CaptureFixture[str], *args: str | Path
) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--config", str(config), *map(str, args)])
    out, err = capsys.readouterr()
    assert isinstance(exit_.value.code, int)
    return exit_.value.code, out + err


def old_backups(folder: Path, days: int) -> list[str]:
    folder.mkdir(mode=0o700, exist_ok=True)
    names = [f"lianxin-2020-01-{day:02d}-033000Z.db" for day in range(1, days + 1)]
    for name in names:
        (folder / name).write_bytes(b"an old copy")
    return names


def test_the_backup_unit_s_command_makes_a_dated_copy_and_keeps_the_newest_14(
    database: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    old = old_backups(folder, 16)
    (folder / "lianxin-before-upgrade.db").write_bytes(b"a copy the clerk made by hand")
    (folder / "notes.txt").write_text("not a backup")
    # The unit's own command line, its paths moved into the test's folder.
    argv = exec_start("lianxin-backup.service")[1:]
    argv[argv.index("--config") + 1] = str(database)
    argv[argv.index("--into") + 1] = str(folder)
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    dated = sorted(p.name for p in folder.iterdir() if p.name not in old)
    new = [name for name in dated if re.fullmatch(r"lianxin-\d{4}-\d\d-\d\d-\d{6}Z\.db", name)]
    assert len(new) == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*old[3:], new[0], "lianxin-before-upgrade.db", "notes.txt"]
    )
    for name in old[:3]:
        assert f"removed the old backup {name}" in out
    assert f"{folder}: 14 backup(s), the newest 14 at most" in out
    copy = folder / new[0]
    assert oct(copy.stat().st_mode & 0o777) == "0o600"
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] > 0


def test_a_failed_backup_deletes_no_old_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "nowhere/lianxin.db"\n', encoding="utf-8")
    folder = tmp_path / "backups"
    old = old_backups(folder, 16)
    code, said = lianxin(config, capsys, "db", "backup", "--into", folder, "--keep", "14")
    assert code == 1
    assert "no database there" in said
    assert sorted(p.name for p in folder.iterdir()) == old


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), "say where the copy goes"),
        (("x.db", "--into", "backups"), "either PATH or --into DIR, not both"),
        (("x.db", "--keep", "3"), "give --into too"),
        (("--into", "backups", "--keep", "0"), "--keep 0: keep at least 1 copy"),
    ],
)
def test_a_backup_asked_for_wrongly_says_what_to_write_and_touches_nothing(
    database: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    said: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    old_backups(tmp_path / "backups", 3)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    code, out = lianxin(database, capsys, "db", "backup", *args)
    assert (code, said in out) == (2, True), out
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_only_dated_copies_are_counted_and_the_oldest_go_first() -> None:
    names = [
        "lianxin-2026-01-02-033000Z.db",
        "lianxin-2026-01-01-033000Z.db",
        "x.db",
        "lianxin-2025-12-31-033000Z.db",
        ".lianxin-2026-01-03-033000Z.db.partial-7",  # one being written
    ]
    assert cli.backups_beyond(names, 1) == [
        "lianxin-2025-12-31-033000Z.db",
        "lianxin-2026-01-01-033000Z.db",
    ]
    assert cli.backups_beyond(names, 3) == []


# --- systemd-analyze verify -----------------------------------------------------------------


@pytest.fixture
def units(tmp_path: Path) -> Path:
    """The units as they are, but for ExecStart's binary: a stand-in that exists here
    (verify refuses a unit whose binary is missing; /opt/lianxin is the server's)."""
    stand_in = tmp_path / "bin" / "lianxin"
    stand_in.parent.mkdir()
    stand_in.write_text("#!/bin/sh\nexit 0\n")
    stand_in.chmod(0o755)
    folder = tmp_path / "units"
    folder.mkdir()
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        (folder / name).write_text(text.replace(BINARY, str(stand_in)), encoding="utf-8")
    return folder


def verify(analyze: str, folder: Path, *names: str) -> str:
    done = subprocess.run(
        [analyze, "verify", "--man=no", *(str(folder / n) for n in names)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    said = done.stdout + done.stderr
    # A misspelt key is only a warning (exit 0): any line about our units fails too.
    return f"exit {done.returncode}: {said}" if done.returncode or said.strip() else ""


@pytest.mark.slow
def test_the_units_pass_systemd_analyze_verify(units: Path) -> None:
    analyze = tool("systemd-analyze", "systemd")
    assert verify(analyze, units, *UNITS) == ""


@pytest.mark.slow
def test_systemd_analyze_verify_catches_a_broken_unit(units: Path) -> None:
    analyze = tool("systemd-analyze", "systemd")
    unit = units / "lianxin.service"
    unit.write_text(unit.read_text().replace("UMask=0077", "UMsak=0077"))
    assert "UMsak" in verify(analyze, units, "lianxin.service")
    timer = units / "lianxin-backup.timer"
    timer.write_text(timer.read_text().replace("*-*-* 03:30:00", "every day"))
    assert verify(analyze, units, "lianxin-backup.timer").startswith("exit 1")


# --- nginx -t, and nginx at work ----------------------------------------------------------


def certificate(folder: Path) -> tuple[Path, Path]:
    openssl = tool("openssl", "openssl")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=bot.example.org", "-keyout", str(key), "-out", str(cert)],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    return cert, key


def nginx_prefix(tmp_path: Path, snippet: str) -> Path:
    """A prefix with a minimal nginx.conf that includes ``snippet`` (the site file with
    the test's certificate), its logs and temp files inside, so that no root is needed."""
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    cert, key = certificate(prefix)
    snippet = re.sub(r"ssl_certificate \S+;", f"ssl_certificate {cert};", snippet)
    snippet = re.sub(r"ssl_certificate_key \S+;", f"ssl_certificate_key {key};", snippet)
    (prefix / "lianxin.conf").write_text(snippet, encoding="utf-8")
    temps = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers read the test's files
    (prefix / "nginx.conf").write_text(
        f"{user}pid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'};\n"
        f"events {{}}\nhttp {{\n    access_log off;\n{temps}\n"
        f"    include {prefix / 'lianxin.conf'};\n}}\n",
        encoding="utf-8",
    )
    return prefix


def nginx_test(nginx: str, prefix: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [nginx, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_the_nginx_snippet_passes_nginx_t(tmp_path: Path) -> None:
    nginx = tool("nginx", "nginx")
    snippet = (DEPLOY / "nginx-lianxin.conf").read_text(encoding="utf-8")
    done = nginx_test(nginx, nginx_prefix(tmp_path, snippet))
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
    assert "[warn]" not in done.stderr, done.stderr


@pytest.mark.slow
def test_nginx_t_catches_a_broken_snippet(tmp_path: Path) -> None:
    nginx = tool("nginx", "nginx")
    snippet = (DEPLOY / "nginx-lianxin.conf").read_text(encoding="utf-8")
    done = nginx_test(nginx, nginx_prefix(tmp_path, snippet.replace("proxy_pass", "proxy_pas")))
    assert done.returncode != 0
    assert "proxy_pas" in done.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Upstream(http.server.BaseHTTPRequestHandler):
    """Stands in for the bot's webhook: records what nginx forwarded."""

    seen: ClassVar[list[tuple[str, str, str | None, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        secret = self.headers.get("X-Telegram-Bot-Api-Secret-Token")
        Upstream.seen.append((self.command, self.path, secret, body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[int]:
    Upstream.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "nginx stopped"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nginx did not listen on {port} within 30 s")


@pytest.mark.slow
def test_nginx_forwards_only_the_webhook_with_its_secret_and_nothing_else(
    tmp_path: Path, upstream: int
) -> None:
    nginx = tool("nginx", "nginx")
    https, http_ = free_port(), free_port()
    snippet = (DEPLOY / "nginx-lianxin.conf").read_text(encoding="utf-8")
    snippet = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", snippet)
    snippet = snippet.replace("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;")
    snippet = snippet.replace("listen 80;", f"listen 127.0.0.1:{http_};")
    snippet = snippet.replace("http://127.0.0.1:8080", f"http://127.0.0.1:{upstream}")
    prefix = nginx_prefix(tmp_path, snippet)
    process = subprocess.Popen(
        [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(https, process)
        context = ssl.create_default_context(cafile=str(prefix / "cert.pem"))
        context.check_hostname = False  # the certificate names bot.example.org, not 127.0.0.1

        def ask(method: str, path: str, body: bytes = b"", **headers: str) -> int:
            conn = http.client.HTTPSConnection("127.0.0.1", https, context=context, timeout=30)
            try:
                conn.request(method, path, body=body, headers=headers)
                status: int = conn.getresponse().status
                return status
            finally:
                conn.close()

        secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token-from-telegram"}
        update = b'{"update_id": 1}'
        assert ask("POST", "/telegram", update, **secret) == 200
        assert Upstream.seen == [("POST", "/telegram", "s3cret-token-from-telegram", update)]
        assert ask("GET", "/telegram") == 403
        for path in ("/", "/healthz", "/telegram/x", "/telegramx", "/admin"):
            assert ask("POST", path, update, **secret) == 404, path
        assert ask("POST", "/telegram", b"x" * (2 * 1024 * 1024), **secret) == 413
        plain = http.client.HTTPConnection("127.0.0.1", http_, timeout=30)
        plain.request("POST", "/telegram", body=update, headers=secret)
        assert plain.getresponse().status == 404
        plain.close()
        assert len(Upstream.seen) == 1
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- The README's restore steps, run -----------------------------------------------------

RESTORE = re.compile(r"^<!-- steps: restore [^\n]*-->\n```sh\n(.*?)^```$", re.M | re.S)
STUBS = {
    # The service manager and the journal: only what was asked of them is noted.
    "systemctl": 'echo "systemctl $*" >> "$CALLS"\n',
    "journalctl": 'echo "journalctl $*" >> "$CALLS"\n',
    # As the user lianxin: here, as whoever runs the test.
    "runuser": 'while [ "$1" != "--" ]; do shift; done; shift; exec "$@"\n',
    # Owners need root and the user lianxin: the modes are kept, the owners dropped.
    "install": (
        "args=(); while [ $# -gt 0 ]; do case $1 in -o|-g) shift 2;; "
        '*) args+=("$1"); shift;; esac; done; exec /usr/bin/install "${args[@]}"\n'
    ),
}


def subcommands() -> set[str]:
    parser = cli._parser()
    return {
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }


@pytest.mark.slow
def test_the_readme_s_restore_steps_bring_the_backup_back(
    database: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    [steps] = RESTORE.findall(README.read_text(encoding="utf-8"))
    home = tmp_path / "data"  # the database fixture's /var/lib/lianxin
    backup = home / "backups" / "lianxin-2026-11-28-193000Z.db"
    assert str(backup.relative_to(home)) in steps  # the copy the steps name
    assert lianxin(database, capsys, "db", "backup", backup)[0] == 0
    # After the copy: more written, and the -wal and -shm of the database as it is now.
    with sqlite3.connect(home / "lianxin.db") as conn:
        conn.execute("CREATE TABLE written_after_the_backup (x)")
    (home / "lianxin.db-wal").write_bytes(b"")
    (home / "lianxin.db-shm").write_bytes(b"")
    if "status" not in subcommands():  # `lianxin status` comes with another change
        steps = re.sub(r"^.* status\n", "", steps, flags=re.M)
    steps = (
        steps.replace(BINARY, str(Path(sys.executable).parent / "lianxin"))
        .replace("/etc/lianxin/config.toml", str(database))
        .replace("/var/lib/lianxin", str(home))
    )
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, body in STUBS.items():
        (stubs / name).write_text(f"#!/bin/bash\n{body}")
        (stubs / name).chmod(0o755)
    calls = tmp_path / "calls"
    env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}", "CALLS": str(calls)}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", steps],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert calls.read_text().splitlines() == [
        "systemctl stop lianxin",
        "systemctl start lianxin",
        "journalctl -u lianxin -f",
    ]
    aside = home / "before-restore"
    assert sorted(p.name for p in aside.iterdir()) == [
        "lianxin.db",
        "lianxin.db-shm",
        "lianxin.db-wal",
    ]
    restored = home / "lianxin.db"
    assert oct(restored.stat().st_mode & 0o777) == "0o600"
    with sqlite3.connect(restored) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "schema_migrations" in tables
    assert "written_after_the_backup" not in tables
    assert "schema version" in done.stdout  # `lianxin db upgrade` ran on the copy
