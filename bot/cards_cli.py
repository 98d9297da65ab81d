"""``lianxin cards``: print contact cards for a region, and revoke or re-issue their codes.

Printing issues a code to each holder that has none and reuses the live one otherwise,
so printing twice gives the same cards and a card already in a villager's hands keeps
working. A lost card is handled with ``lianxin cards revoke``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot import leaving, private
from bot.clock import SystemClock
from bot.config import Config
from bot.domain.codes import CadreCard, HouseholdCard, deep_link, is_username
from bot.domain.leavers import Reason
from bot.i18n import Language, t
from storage import cadre_views, codes, meta, migrate
from storage.backend import open_database
from storage.db import Tx
from storage.unit_of_work import unit_of_work

if TYPE_CHECKING:
    from bot.cards import Font, FontProblem

Load = Callable[[argparse.Namespace], Config]
T = TypeVar("T")


class Refusal(Exception):
    """The command cannot do what was asked; the message says why, in the user's language."""


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    load: Load,
) -> None:
    printing = sub.add_parser(
        "cards",
        help="print contact cards for a region (PDF or CSV); `cards revoke` for lost ones",
        description="Print one card per household (or per cadre, with --cadres) at or below "
        "--region. Holders without a code get one; live codes are reused.",
    )
    printing.add_argument("--region", help="region id: its households and all below it")
    printing.add_argument(
        "--household", help="one household's card (a reprint: its live code, or a new one)"
    )
    printing.add_argument("--out", type=Path, help="the file to write (overwritten)")
    printing.add_argument("--format", choices=("pdf", "csv"), default="pdf")
    printing.add_argument(
        "--size", choices=("a6", "a4"), default="a6", help="a6: one card a page; a4: four"
    )
    printing.add_argument("--cadres", action="store_true", help="cadre cards instead")
    _username_option(printing)
    printing.set_defaults(command=partial(_print, load=load, parser=printing))

    actions = printing.add_subparsers(metavar="ACTION")
    revoke = actions.add_parser(
        "revoke", help="stop a card's code binding anyone new (a lost or stolen card)"
    )
    holder = revoke.add_mutually_exclusive_group(required=True)
    holder.add_argument("--household", help="revoke this household's live code")
    holder.add_argument("--cadre", help="revoke this cadre's live code")
    holder.add_argument("--code", help="revoke this code")
    revoke.add_argument(
        "--unbind", action="store_true", help="also unbind the phones bound with the code"
    )
    revoke.add_argument(
        "--reissue", action="store_true", help="issue a new code at once and print its link"
    )
    _username_option(revoke)
    revoke.set_defaults(command=partial(_revoke, load=load))


def _username_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bot-username", help="the bot's @username for the link (default: [cards] bot_username)"
    )


def _print(args: argparse.Namespace, *, load: Load, parser: argparse.ArgumentParser) -> int:
    config = load(args)
    language = config.general.language
    if args.region is None and args.household is None:
        parser.error(t(language, "cards.cli.region_required"))
    if args.region is not None and args.household is not None:
        parser.error(t(language, "cards.cli.region_or_household"))
    if args.household is not None and args.cadres:
        parser.error(t(language, "cards.cli.household_not_cadres"))
    if args.out is None:
        parser.error(t(language, "cards.cli.out_required"))
    try:
        username = _username(args, config)
        out: Path = args.out
        if not out.parent.is_dir():
            raise Refusal(t(language, "cards.cli.no_folder", path=out, folder=out.parent))
        font = _font(config) if args.format == "pdf" else None
        return asyncio.run(_print_async(args, config, username, font))
    except Refusal as refusal:
        print(f"lianxin: {refusal}", file=sys.stderr)
        return 1


@dataclass(frozen=True)
class _Found:
    households: list[HouseholdCard]
    cadres: list[CadreCard]
    new: int  # codes issued by this run


async def _print_async(
    args: argparse.Namespace, config: Config, username: str, font: Font | None
) -> int:
    language = config.general.language
    region: str = args.region or ""
    now = SystemClock().now()

    async def gather(tx: Tx) -> _Found:
        if args.household is not None:
            card = await codes.household_card(tx, now, args.household)
            if card is None:
                raise Refusal(t(language, "cards.cli.unknown_household", id=args.household))
            return _Found([card], [], 0)
        if not await codes.region_exists(tx, region):
            raise Refusal(t(language, "cards.cli.unknown_region", region=region))
        if args.cadres:
            cadre_cards, new = await codes.cadre_cards(tx, now, region)
            return _Found([], cadre_cards, new)
        household_cards, new = await codes.household_cards(tx, now, region)
        return _Found(household_cards, [], new)

    found = await _in_transaction(config, gather)
    what = "cadres" if args.cadres else "households"
    count = len(found.cadres) + len(found.households)
    if count == 0:
        what_text = t(language, f"cards.cli.what_{what}")
        raise Refusal(t(language, "cards.cli.empty", region=region, what=what_text))
    for card in found.households:
        if not card.cadres:
            holder = t(
                language,
                "cards.cli.household",
                id=card.household.id,
                name=card.household.head_name,
            )
            print(f"lianxin: {t(language, 'cards.cli.no_links', holder=holder)}", file=sys.stderr)
    _write(args.out, _render(args, config, username, found, font), language)
    print(t(language, f"cards.cli.wrote_{what}", count=count, path=args.out, new=found.new))
    return 0


def _font(config: Config) -> Font:
    """The Chinese font to embed: refuse a configured one that is unusable, warn if none."""
    from bot import cards  # reportlab takes a while to import; only printing needs it

    language = config.general.language
    try:
        font = cards.find_font(config.cards.font)
    except cards.FontProblem as problem:
        raise _font_refusal(language, problem) from None
    if not font.embedded:
        print(f"lianxin: {t(language, 'cards.cli.font_not_embedded')}", file=sys.stderr)
    return font


def _font_refusal(language: Language, problem: FontProblem) -> Refusal:
    key = f"cards.cli.{problem.key}"
    return Refusal(t(language, key, path=problem.path, problem=problem.problem))


def _render(
    args: argparse.Namespace, config: Config, username: str, found: _Found, font: Font | None
) -> bytes:
    from bot import cards  # reportlab takes a while to import; only printing needs it

    if args.format == "pdf":
        sheet = cards.sheet_of(config, username)
        every: list[cards.Card] = [*found.households, *found.cadres]
        progress = _Progress(config.general.language, len(every))
        try:
            return cards.pdf(every, sheet, args.size, font, progress, os.cpu_count() or 1)
        except cards.FontProblem as problem:
            raise _font_refusal(config.general.language, problem) from None
    if args.cadres:
        return cards.cadres_csv(found.cadres, username)
    return cards.households_csv(found.households, username)


class _Progress:
    """「正在生成 3,000 张联系卡… 40%」 on stderr at every tenth of a big run."""

    SHOWN_FROM = 200  # cards: a smaller run is done before anyone would read it

    def __init__(self, language: Language, total: int) -> None:
        self._language, self._total, self._shown = language, total, -1

    def __call__(self, done: int, total: int) -> None:
        if total < self.SHOWN_FROM:
            return
        tenth = done * 10 // total
        if tenth != self._shown:
            self._shown = tenth
            text = t(self._language, "cards.progress", count=f"{total:,}", percent=tenth * 10)
            print(f"lianxin: {text}", file=sys.stderr, flush=True)


def _write(out: Path, data: bytes, language: Language) -> None:
    try:
        private.write_bytes(out, data)  # names, phones and the codes that bind: owner only
    except OSError as problem:
        raise Refusal(t(language, "cards.cli.cannot_write", path=out, problem=problem)) from None


def _revoke(args: argparse.Namespace, *, load: Load) -> int:
    config = load(args)
    try:
        username = _username(args, config) if args.reissue else ""
        return asyncio.run(_revoke_async(args, config, username))
    except Refusal as refusal:
        print(f"lianxin: {refusal}", file=sys.stderr)
        return 1


async def _revoke_async(args: argparse.Namespace, config: Config, username: str) -> int:
    language = config.general.language
    now = SystemClock().now()

    async def work(tx: Tx) -> list[str]:
        household_id, cadre_id, code, live = await _target(tx, args, language)
        name = await codes.holder_name(tx, household_id=household_id, cadre_id=cadre_id)
        kind, holder_id = ("household", household_id) if household_id else ("cadre", cadre_id)
        holder = t(language, f"cards.cli.{kind}", id=holder_id, name=name)
        said: list[str] = []
        if live and code is not None and await codes.revoke(tx, now, code):
            said.append(t(language, "cards.cli.revoked", holder=holder, code=code))
        elif code is not None:
            said.append(t(language, "cards.cli.already_revoked", holder=holder, code=code))
        else:
            said.append(t(language, "cards.cli.no_live_code", holder=holder))
        if code is not None and args.unbind:
            said.append(t(language, "cards.cli.unbound", count=await codes.unbind(tx, code)))
            # Their requests must not wait on no one (unless another card binds them still).
            if cadre_id is not None and await cadre_views.cadre_account(tx, cadre_id) is None:
                moved = await leaving.reroute_from(tx, now, cadre_id, Reason.UNBOUND)
                if moved:
                    said.append(t(language, "roster.rerouted", count=moved))
        elif code is not None and (bound := await codes.bound(tx, code)):
            said.append(t(language, "cards.cli.kept_bound", count=bound))
        if args.reissue:
            new = await codes.issue(tx, now, household_id=household_id, cadre_id=cadre_id)
            link = deep_link(username, new)
            said.append(t(language, "cards.cli.reissued", holder=holder, code=new, link=link))
        return said

    for line in await _in_transaction(config, work):
        print(line)
    return 0


async def _target(
    tx: Tx, args: argparse.Namespace, language: Language
) -> tuple[str | None, str | None, str | None, bool]:
    """Whose code to revoke: (household id, cadre id, the code or None, whether it is live)."""
    if args.code is not None:
        found = await codes.find(tx, args.code)
        if found is None:
            raise Refusal(t(language, "cards.cli.unknown_code", code=args.code))
        return found.household_id, found.cadre_id, found.code, not found.revoked
    household_id: str | None = args.household
    cadre_id: str | None = args.cadre
    if await codes.holder_name(tx, household_id=household_id, cadre_id=cadre_id) is None:
        key = "unknown_household" if household_id else "unknown_cadre"
        raise Refusal(t(language, f"cards.cli.{key}", id=household_id or cadre_id))
    code = await codes.live_code(tx, household_id=household_id, cadre_id=cadre_id)
    return household_id, cadre_id, code, code is not None


def _username(args: argparse.Namespace, config: Config) -> str:
    """The bot's username for the links: the option, else the configuration, else refuse."""
    language = config.general.language
    given: str | None = args.bot_username
    if given is None:
        if config.cards.bot_username:
            return config.cards.bot_username
        remembered = asyncio.run(meta.remembered(config.database.path, meta.BOT_USERNAME))
        if remembered is None or not is_username(remembered):
            raise Refusal(t(language, "cards.cli.no_username"))
        return remembered
    name = given.removeprefix("@")
    if not is_username(name):
        raise Refusal(t(language, "cards.cli.bad_username", name=given))
    return name


async def _in_transaction(config: Config, work: Callable[[Tx], Awaitable[T]]) -> T:
    """Open the database, bring its schema up to date, and run ``work`` in one transaction."""
    db = await open_database(
        config.database.path, config.database.url, config.database.schema_name
    )
    try:
        now = SystemClock().now()
        await migrate.upgrade(db, now)
        async with unit_of_work(db, now) as unit:
            return await work(unit.tx)
    except migrate.MigrationError as problem:
        raise Refusal(str(problem)) from None
    finally:
        await db.close()
