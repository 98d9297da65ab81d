"""The layer contracts of ``[tool.importlinter]`` hold, and each one catches a slip.

A rule without a tool does not hold (STYLE.md §1): so for every contract, a copy of
the tree with one deliberate forbidden import must fail ``lint-imports``.

The tests that run ``lint-imports`` or ``ruff`` (a process each, over a copy of the
tree) are marked ``slow``; that every module of bot/ is named in the contracts is fast.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).parent / "lint-imports"

# contract id -> (a module of its source, an import it forbids)
SLIPS = {
    "domain-pure": ("bot/domain/lifecycle.py", "import storage.db"),
    "storage-below": ("storage/inbox.py", "import telegram"),
    "sql-in-storage": ("handlers/common.py", "import aiosqlite"),
    "telegram-at-the-edge": ("bot/config.py", "import telegram"),
    "sandbox-for-tests": ("handlers/common.py", "import bot.sandbox.server"),
    "layers": ("bot/services/identity.py", "import handlers.outgoing"),
    "services-over-protocols": ("bot/services/identity.py", "import storage.people"),
    "handlers-without-storage": ("handlers/common.py", "import storage.people"),
}


def lint(tree: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    args = [str(LINT), "--no-cache"]
    for contract in contracts:
        args += ["--contract", contract]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(args, cwd=tree, env=env, capture_output=True, text=True, check=False)


def copy_tree(target: Path) -> Path:
    for package in ("bot", "handlers", "storage"):
        shutil.copytree(
            ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


@pytest.mark.slow
def test_the_tree_keeps_every_contract() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(SLIPS)} kept, 0 broken" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("contract", sorted(SLIPS))
def test_a_forbidden_import_breaks_its_contract(tmp_path: Path, contract: str) -> None:
    tree = copy_tree(tmp_path)
    module, slip = SLIPS[contract]
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{slip}  # the slip\n", "utf-8")
    result = lint(tree, contract)
    assert result.returncode != 0, result.stdout
    assert "1 broken" in result.stdout


RUFF = Path(sys.executable).parent / "ruff"
# folder -> an import (or a wall-clock read) its ruff.toml bans there
RUFF_SLIPS = {
    "handlers/common.py": "import aiosqlite",
    "handlers/menus.py": "from storage import people",
    "bot/edge/lanes.py": "import sqlite3",
    "bot/sandbox/clock.py": "import storage.db",
    "storage/inbox.py": "import telegram",
    "bot/domain/away.py": "import storage.db",
    "bot/services/identity.py": "import storage.people",
    "bot/config.py": "import telegram",
    "storage/outbox.py": "import datetime as _d\n_now = _d.datetime.now()",
}


@pytest.mark.slow
@pytest.mark.parametrize("module", sorted(RUFF_SLIPS))
def test_ruff_bans_what_each_folder_must_not_touch(tmp_path: Path, module: str) -> None:
    tree = copy_tree(tmp_path)
    for config in ROOT.glob("**/ruff.toml"):
        if ".venv" not in config.parts:
            target = tree / config.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(config, target)
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{RUFF_SLIPS[module]}\n", "utf-8")
    args = [str(RUFF), "check", "--select", "TID251", "--output-format", "concise", "."]
    result = subprocess.run(args, cwd=tree, capture_output=True, text=True, check=False)
    assert result.returncode != 0, result.stdout
    assert f"{module}:" in result.stdout
    assert "TID251" in result.stdout


# Modules of bot/ that put the application together and may import anything.
ASSEMBLERS = {"bot.cli", "bot.demo", "bot.sandbox"}
DATA = {"bot.locales"}  # message catalogues: TOML files, no code


def test_every_module_of_bot_is_under_the_contracts() -> None:
    """A new module of bot/ must be named in the contracts, or it escapes them unseen."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}
    modules = {
        f"bot.{path.stem}"
        for path in (ROOT / "bot").iterdir()
        if (path.suffix == ".py" and not path.stem.startswith("__"))
        or (path / "__init__.py").exists()
    }
    for contract in ("sql-in-storage", "sandbox-for-tests"):
        named = set(contracts[contract]["source_modules"]) | ASSEMBLERS | DATA
        assert modules - named == set(), f"{contract} does not name {sorted(modules - named)}"


# A handler parses, calls one service and renders; anything longer is a use case or a
# view hiding in it (issue 10).
LONGEST = 25


def long_functions(folder: Path) -> list[str]:
    """Functions of ``folder`` whose body (after the docstring) is over LONGEST lines."""
    import ast

    long: list[str] = []
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            body = node.body[1:] if ast.get_docstring(node) else node.body
            if not body:
                continue
            lines = (node.end_lineno or node.lineno) - body[0].lineno + 1
            name = f"{path.stem}.{node.name}"
            if lines > LONGEST:
                long.append(f"{name}: {lines} lines")
    return long


def test_no_handler_function_is_long() -> None:
    long = long_functions(ROOT / "handlers")
    assert long == [], "split these into a service call and views:\n" + "\n".join(long)


def test_a_long_handler_is_caught(tmp_path: Path) -> None:
    steps = "".join(f"    unit.send(step_{n})\n" for n in range(LONGEST + 1))
    (tmp_path / "slip.py").write_text(f"async def press(unit):\n{steps}", "utf-8")
    assert long_functions(tmp_path) == [f"slip.press: {LONGEST + 1} lines"]
