"""``lianxin demo``: the real bot against the built-in Bot API sandbox, with a scripted scene.

Everything runs in this one process: the sandbox plays Telegram and the people, the bot
is the same code ``lianxin run`` starts. After the scene the user can go on typing as
any of the people (the chat is printed as a transcript).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.clock import SystemClock
from bot.config import Config, load_config
from bot.edge.runtime import start_bot, stop_bot
from bot.i18n import Texts
from bot.roster_cli import import_path
from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from storage import codes, migrate
from storage.db import Database
from storage.unit_of_work import unit_of_work

BOT_NAME = "连心"
SAMPLE_ROSTER = Path(__file__).resolve().parent / "samples" / "roster"
SCENE_HOUSEHOLD = "H0001"  # 王秀英's household in the sample county
SCENE_CADRE = "K007"  # 郑小红, its village cadre
ADMIN_ID = 9001


@dataclass
class Person:
    user: SandboxUser
    name: str


def _config_text(sandbox: Sandbox, directory: Path) -> str:
    return f"""# Written by `lianxin demo`: the bot against the built-in sandbox.
[telegram]
token = "{sandbox.token}"
base_url = "{sandbox.base_url}"
base_file_url = "{sandbox.base_file_url}"
poll_timeout = "10s"

[database]
path = "{directory / "demo.db"}"

[general]
admins = [{ADMIN_ID}]
"""


class Transcript:
    """Prints what each person says and what the bot answers, in order."""

    def __init__(self, people: dict[int, Person]) -> None:
        self._people = people
        self._printed: set[tuple[int, int, int | None]] = set()
        self._keyboards: dict[int, list[list[str]] | None] = {}

    def said(self, person: Person, text: str) -> None:
        print(f"\n[{person.name} → {BOT_NAME}] {text}", flush=True)

    def show_new(self) -> None:
        for chat_id, person in self._people.items():
            for message in person.user.messages():
                key = (chat_id, message["message_id"], message.get("edit_date"))
                if key in self._printed:
                    continue
                edited = any(k[:2] == key[:2] for k in self._printed)
                self._printed.add(key)
                mark = "✎ " if edited else ""  # an earlier message changed (its buttons)
                print(f"[{BOT_NAME} → {person.name}] {mark}{_render(message)}", flush=True)
            keyboard = person.user.reply_keyboard()
            if keyboard != self._keyboards.get(chat_id):
                self._keyboards[chat_id] = keyboard
                labels = " ".join(f"[{label}]" for row in keyboard or [] for label in row)
                print(f"    ⌨ {labels}", flush=True)


def _count_reaches(person: Person, count: int) -> Any:
    return lambda _message: len(person.user.messages()) >= count


def _render(message: dict[str, Any]) -> str:
    text = str(message.get("text") or message.get("caption") or "")
    markup = message.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or []
    buttons = [f"[{b['text']}]" for row in rows for b in row]
    return text + ("\n    " + " ".join(buttons) if buttons else "")


async def _act(
    person: Person,
    transcript: Transcript,
    text: str,
    action: Any,
    *,
    expect: tuple[tuple[Person, int], ...] = (),
) -> None:
    """Say or press, then wait for the bot's answers before printing what arrived: one
    message to ``person``, or as many as ``expect`` says to each person."""
    waits = [(p, len(p.user.messages()) + n) for p, n in expect or ((person, 1),)]
    transcript.said(person, text)
    await action
    for someone, count in waits:
        with contextlib.suppress(TimeoutError):
            await someone.user.wait_for(_count_reaches(someone, count), timeout=10)
    await asyncio.sleep(0)  # let a second message of the same answer land
    transcript.show_new()


@dataclass(frozen=True)
class Cards:
    """The codes on the two contact cards the scene uses."""

    household: str
    cadre: str


async def _prepare_county(config: Config, now: datetime) -> Cards:
    """The sample county in the demo's database, and the codes on two printed cards."""
    db = await Database.open(config.database.path)
    try:
        await migrate.upgrade(db, now)
        outcome = await import_path(db, SAMPLE_ROSTER, prune=False, dry_run=False)
        if outcome.problems:
            raise RuntimeError(f"the sample roster does not import: {outcome.problems[0]}")
        async with unit_of_work(db, now) as work:
            household = await codes.issue(work.tx, now, household_id=SCENE_HOUSEHOLD)
            cadre = await codes.issue(work.tx, now, cadre_id=SCENE_CADRE)
    finally:
        await db.close()
    return Cards(household, cadre)


async def _scene(people: dict[str, Person], transcript: Transcript, cards: Cards) -> None:
    villager, cadre, admin = people["villager"], people["cadre"], people["admin"]
    await _act(villager, transcript, "/start", villager.user.start())
    scan = f"(扫描联系卡二维码 scans the card: /start {cards.household})"
    await _act(villager, transcript, scan, villager.user.start(cards.household))
    await _act(villager, transcript, "📇 我的干部", villager.user.send_text("📇 我的干部"))
    scan = f"(扫描干部卡二维码 scans her cadre card: /start {cards.cadre})"
    await _act(cadre, transcript, scan, cadre.user.start(cards.cadre))
    await _request_story(villager, cadre, transcript)
    await _act(villager, transcript, "(贴纸 a sticker)", villager.user.send_sticker())
    await _act(admin, transcript, "/status", admin.user.command("status"))


async def _request_story(villager: Person, cadre: Person, transcript: Transcript) -> None:
    """挂号 to 销号: a voice note alone, the cadre's acknowledgement, reply and resolution
    on her buttons, and the villager's confirmation."""
    voice = "(语音 a voice note: 村口的路灯坏了一个星期了，晚上出门看不见)"
    both = ((villager, 1), (cadre, 1))
    # The voice note alone is a request: a number for her, the case and the voice for
    # the cadre.
    await _act(
        villager, transcript, voice, villager.user.send_voice(), expect=((villager, 1), (cadre, 2))
    )
    # 受理 edits her case card in place: only the villager gets a new message.
    await _act(cadre, transcript, "[受理]", _press(cadre, "受理"), expect=((villager, 1),))
    await _act(cadre, transcript, "[回复]", _press(cadre, "回复"))
    reply = "明天上午我带电工过去看"
    await _act(cadre, transcript, reply, cadre.user.send_text(reply), expect=both)
    await _act(cadre, transcript, "[办结]", _press(cadre, "办结"))
    note = "路灯已经换好了，晚上亮了"
    await _act(cadre, transcript, note, cadre.user.send_text(note), expect=both)
    satisfied = _press(villager, "已解决，满意")
    await _act(villager, transcript, "[已解决，满意]", satisfied, expect=both)


def _prepare(directory: Path) -> Path:
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    return directory


async def run_demo(directory: Path, *, play: bool) -> int:
    directory = await asyncio.to_thread(_prepare, directory)
    sandbox = Sandbox()
    await sandbox.start()
    config_path = directory / "config.toml"
    config_path.write_text(_config_text(sandbox, directory), encoding="utf-8")
    config = load_config(config_path, environ={})
    cards = await _prepare_county(config, SystemClock().now())
    running = await start_bot(config, SystemClock())
    people = {
        "villager": Person(sandbox.user(1001, "王秀英", language_code="zh"), "王秀英"),
        "cadre": Person(sandbox.user(1007, "郑小红", language_code="zh"), "郑小红(村干部)"),
        "admin": Person(sandbox.user(ADMIN_ID, "李书记", language_code="zh"), "李书记(管理员)"),
    }
    transcript = Transcript({p.user.user_id: p for p in people.values()})
    texts = Texts(config.general.language)
    print(f"连心 Lianxin demo — data in {directory}; sandbox at {sandbox.base_url}")
    print(texts("demo.scene_title"))
    try:
        await _scene(people, transcript, cards)
        if play and sys.stdin.isatty():
            await _play(people, transcript, texts)
    finally:
        await stop_bot(running)
        await sandbox.stop()
    return 0


async def _play(people: dict[str, Person], transcript: Transcript, texts: Texts) -> None:
    print("\n" + texts("demo.play_help"))
    current = people["villager"]
    loop = asyncio.get_running_loop()
    watcher = asyncio.create_task(_keep_printing(transcript))
    try:
        while True:
            line = await loop.run_in_executor(None, _read_line, f"{current.name}> ")
            if line is None or line.strip() in {"/quit", "/exit"}:
                return
            line = line.strip()
            if line.startswith("/as "):
                wanted = line[4:].strip()
                current = people.get(wanted, current)
                continue
            if line.startswith("/press "):
                await _press(current, line[7:].strip())
            elif line:
                await current.user.send_text(line)
    finally:
        watcher.cancel()


async def _press(person: Person, label: str) -> None:
    for message in reversed(person.user.messages()):
        with contextlib.suppress(LookupError):
            await person.user.press(message, text=label)
            return
    print(f"(no button labelled {label!r})")


async def _keep_printing(transcript: Transcript) -> None:
    while True:
        transcript.show_new()
        await asyncio.sleep(0.3)


def _read_line(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None
