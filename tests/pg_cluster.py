"""A throwaway PostgreSQL server for the tests: started once per session, in a temporary
folder, on a free loopback port, with fsync off; stopped at the end.

It uses Debian's server binaries (``postgresql``; ``.ci/run`` installs them). PostgreSQL
refuses to run as root: as root, the folder belongs to the user ``postgres`` and the
commands run as that user. ``LIANXIN_TEST_PG`` (a URL) uses a server of your own instead.
Logins over TCP need the password (scram-sha-256), so a wrong one is refused as in
production.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER = "lianxin"
PASSWORD = "test-secret-4711"


class Unavailable(Exception):
    """No PostgreSQL server binaries on this machine."""


@dataclass
class Cluster:
    url: str  # the maintenance database ("postgres"), as the superuser lianxin
    port: int
    data: Path
    bindir: Path | None = None
    run_as: str | None = None

    def url_for(self, database: str, password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        if self.bindir is not None:
            _run(
                self,
                [
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                check=False,
            )
            shutil.rmtree(self.data.parent, ignore_errors=True)


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        on_path = shutil.which("initdb")
        if on_path is None:
            raise Unavailable("no PostgreSQL server (initdb) found; apt-get install postgresql")
        return Path(on_path).resolve().parent
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(cluster: Cluster, command: list[str], check: bool = True) -> None:
    if cluster.run_as is not None:
        command = ["runuser", "-u", cluster.run_as, "--", *command]
    subprocess.run(command, check=check, capture_output=True, timeout=120)


def start() -> Cluster:
    """Start a server in a new folder under /tmp (which the user postgres can reach, unlike
    pytest's 0700 folders of root); raise Unavailable without binaries."""
    given = os.environ.get("LIANXIN_TEST_PG")
    if given:
        return Cluster(url=given, port=0, data=Path())
    bindir = _bindir()
    run_as = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="lianxin-pg-"))
    data = folder / "data"
    secret = folder / "pw"
    secret.write_text(PASSWORD)
    if run_as is not None:
        owner = pwd.getpwnam(run_as)
        for path in (folder, secret):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    cluster = Cluster(url="", port=port, data=data, bindir=bindir, run_as=run_as)
    _run(
        cluster,
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            USER,
            "--pwfile",
            str(secret),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
    )
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    _run(
        cluster,
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "-t",
            "120",
            "start",
        ],
    )
    cluster.url = cluster.url_for("postgres")
    return cluster
