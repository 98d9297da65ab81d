"""Contact cards as paper: a PDF to print (A6, or four A6 to an A4 sheet), or a CSV to merge.

Rendering only: the cards arrive with their codes already issued (``storage.codes``).
Chinese is set in a font embedded in the PDF (only the characters used), so the cards
print the same on a print shop's computer that has no Chinese font: ``[cards] font``,
else the Noto Sans SC that pylopdf-fonts-zh-cn installs, else a well-known system font
(``find_font``). Only when none is found does it fall back to reportlab's CID font
STSong-Light, which is not embedded: then the viewer must supply the glyphs. The QR is
segno's matrix (``bot.qr``), drawn as one vector path per code (a rectangle per run of
dark modules in a row), so it scans however the sheet is scaled; reportlab's own QR widget
drew a shape per module and took 95 % of the time (3,000 cards: 84 s).

Beside the QR, the half of the card that villagers look for: the service days, the
reception days, and the township's hotline (the nearest region above that has one).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import multiprocessing
import os
import string
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from fontTools import subset, ttLib  # type: ignore[import-untyped]
from fontTools.pens.cu2quPen import Cu2QuPen  # type: ignore[import-untyped]
from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from bot.cells import csv_rows
from bot.config import Config
from bot.domain.codes import CadreCard, HouseholdCard, deep_link
from bot.domain.roster import LinkedCadre, Rank
from bot.domain.schedule import Repeat
from bot.i18n import Language, keys, t, template
from bot.qr import qr_path

# reportlab wraps each compressed page in ASCII85 (7-bit safe, 25 % bigger), in pure Python
# unless the optional rl_accel is installed: 70 % of the time of 3,000 cards. A binary
# stream is what every PDF writer emits today.
rl_config.useA85 = 0

Card = HouseholdCard | CadreCard
CardSize = Literal["a6", "a4"]
Progress = Callable[[int, int], None]  # (cards drawn, cards in all)

FALLBACK = "STSong-Light"  # a CID font every Chinese-capable reader has; not embedded
EMBEDDED = "LianxinChinese"  # the name the embedded font is registered under while drawing
# Where a Chinese font is looked for when neither [cards] font nor the packaged font is
# there: (file, which font of a collection). TrueType or CFF outlines, both are embedded.
SYSTEM_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # Debian: fonts-wqy-microhei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # fonts-noto-cjk; 2: SC
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),  # Fedora
    ("{windows}/Fonts/msyh.ttc", 0),  # Microsoft YaHei
    ("{windows}/Fonts/simhei.ttf", 0),
    ("{windows}/Fonts/simsun.ttc", 0),
    ("/System/Library/Fonts/STHeiti Medium.ttc", 0),  # macOS
)
PROBE = "联系卡户主"  # a font without these is no Chinese font
MONO = "Courier"  # the link: l/1 and O/0 must be told apart by someone typing it
ACCENT = colors.HexColor("#A3191F")
GREY = colors.HexColor("#555555")
MARGIN = 8 * mm
QR_SIZE = 42 * mm  # a phone reads it from arm's length; ≥ 30 mm on an A6 card
PARALLEL_FROM = 400  # cards: below this, starting worker processes costs more than it saves
QR_QUIET = 2  # modules of white around the code (drawn as the page's white)
PANEL_GAP = 4 * mm  # between the QR and the panel beside it
PANEL_SIZE = 8.0  # points: the panel's text, shrunk when a line is long
BOTTOM = 30  # points below the QR: the link, the sentence to scan, the footnote
ROW = 17.0  # points per linked cadre, less when a long chain must fit above the QR
LABEL = 54  # points for the tier label (第一联系人) before the cadre's name


@dataclass(frozen=True)
class Sheet:
    """What every card of one print run shares."""

    bot_username: str
    language: Language
    phones_per_household: int
    # Each rank's reception day as the card words it (``reception_labels``), by rank value.
    reception: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # The service days (days of the month), from [schedule] service_days.
    service_days: tuple[int, ...] = ()
    # The hotline printed when no region above the household has one ([cards] hotline).
    hotline: str = ""


@dataclass(frozen=True)
class Panel:
    """The lines beside a household card's QR: (heading, lines under it) in order."""

    sections: tuple[tuple[str, tuple[str, ...]], ...]


def panel(card: HouseholdCard, sheet: Sheet) -> Panel:
    """What a household card says beside its QR: the service days, each rank's reception
    day (ranks of the household's own cadres first), and the hotline to call."""
    language = sheet.language
    sections: list[tuple[str, tuple[str, ...]]] = []
    if sheet.service_days:
        days = t(language, "cards.panel.separator").join(str(d) for d in sheet.service_days)
        monthly = t(language, "cards.panel.monthly", days=days)
        sections.append((t(language, "cards.panel.service_days"), (monthly,)))
    own = [linked.cadre.rank.value for linked in card.cadres]
    ranks = sorted(sheet.reception, key=lambda r: (r not in own, list(sheet.reception).index(r)))
    lines = tuple(
        t(
            language,
            "cards.panel.reception_line",
            rank=t(language, f"cards.rank.{rank}"),
            rule=rule,
        )
        for rank in ranks
        for rule in (sheet.reception[rank],)
    )
    if lines:
        sections.append((t(language, "cards.panel.reception"), lines))
    hotline = card.hotline or sheet.hotline
    if hotline:
        sections.append((t(language, "cards.panel.hotline"), (hotline,)))
    return Panel(tuple(sections))


def sheet_of(config: Config, username: str) -> Sheet:
    """What a print run's cards share, from the configuration."""
    language = config.general.language
    rules = config.schedule.rules(config.general.zone)
    return Sheet(
        username,
        language,
        config.binding.phones_per_household,
        reception_labels(language, rules.reception),
        rules.service_days,
        config.cards.hotline,
    )


def reception_labels(language: Language, rules: Mapping[Rank, Repeat]) -> dict[str, str]:
    """ "每周一" / "每月1日" for each rank that has a reception day."""
    labels = {}
    for rank, rule in rules.items():
        if rule.every == "weekly":
            weekday = t(language, f"announce.weekday.{rule.day}")
            labels[rank.value] = t(language, "cards.reception.weekly", weekday=weekday)
        elif rule.every == "monthly":
            labels[rank.value] = t(language, "cards.reception.monthly", day=rule.day)
    return labels


@dataclass(frozen=True)
class Font:
    """The Chinese font of a print run: a font file to embed, or None for STSong-Light."""

    path: Path | None
    index: int = 0  # which font of a collection (.ttc)
    origin: Literal["configured", "packaged", "system", "fallback"] = "fallback"

    @property
    def embedded(self) -> bool:
        return self.path is not None


class FontProblem(Exception):
    """The configured font cannot be used; ``key`` names the sentence in ``cards.cli``."""

    def __init__(self, key: str, path: Path, problem: str = "") -> None:
        super().__init__(f"{path}: {key} {problem}".strip())
        self.key, self.path, self.problem = key, path, problem


def find_font(configured: Path | None) -> Font:
    """The font to embed: ``configured`` (FontProblem if it is unusable), else the packaged
    Noto Sans SC, else the first usable system font, else the unembedded fallback."""
    if configured is not None:
        _check(configured, 0)
        return Font(configured, 0, "configured")
    packaged = _packaged_font()
    if packaged is not None and _usable(packaged, 0):
        return Font(packaged, 0, "packaged")
    windows = os.environ.get("WINDIR", "C:/Windows")
    for name, index in SYSTEM_FONTS:
        path = Path(name.format(windows=windows))
        if _usable(path, index):
            return Font(path, index, "system")
    return Font(None)


def pdf(
    cards: Sequence[Card],
    sheet: Sheet,
    size: CardSize = "a6",
    font: Font | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> bytes:
    """One card per A6 page, or four per A4 page with light cut lines between them.

    ``font``: the Chinese font (default: ``find_font(None)``). ``progress(done, total)``
    is called after each card is drawn (it decides how often to tell anyone).
    ``workers``: processes encoding the QR codes of a big print run (``_qr_paths``)."""
    font = find_font(None) if font is None else font
    extra = "".join([*sheet.reception.values(), sheet.hotline])
    registered = _register_font(font, _characters(cards, sheet.language) + extra)
    try:
        return _pdf(cards, sheet, size, registered.fontName, progress, workers)
    finally:
        if isinstance(registered, TTFont):
            registered.unregister()  # the next run embeds a font made for its own text


def _pdf(
    cards: Sequence[Card],
    sheet: Sheet,
    size: CardSize,
    font: str,
    progress: Progress | None,
    workers: int,
) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A6 if size == "a6" else A4)
    canvas.setTitle(t(sheet.language, "cards.title"))
    width, height = A6 if size == "a6" else (A4[0] / 2, A4[1] / 2)
    # Where each card of a page sits: A6 fills its page; A4 reads left to right, top down.
    origins = [(0.0, 0.0)] if size == "a6" else [(0, height), (width, height), (0, 0), (width, 0)]
    links = [deep_link(sheet.bot_username, card.code) for card in cards]
    qrs, stamps = _qr_paths(links, workers), Stamps(canvas)
    done = 0
    for start in range(0, len(cards), len(origins)):
        for origin, card in zip(origins, cards[start : start + len(origins)], strict=False):
            canvas.saveState()
            canvas.translate(*origin)
            _card(canvas, card, next(qrs), sheet, (width, height), font, stamps)
            canvas.restoreState()
            done += 1
            if progress is not None:
                progress(done, len(cards))
        if size == "a4":
            _cut_lines(canvas, width, height)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def households_csv(cards: Sequence[HouseholdCard], bot_username: str) -> bytes:
    """For a mail merge: one row per household, UTF-8 with a BOM so Excel reads the Chinese."""
    header = ("household_id", "head_name", "region_id", "code", "link")
    rows = [
        (h.id, h.head_name, h.region_id, c.code, deep_link(bot_username, c.code))
        for c in cards
        for h in (c.household,)
    ]
    return _csv(header, rows)


def cadres_csv(cards: Sequence[CadreCard], bot_username: str) -> bytes:
    """For a mail merge: one row per cadre, UTF-8 with a BOM."""
    header = ("cadre_id", "name", "code", "link")
    rows = [(c.cadre.id, c.cadre.name, c.code, deep_link(bot_username, c.code)) for c in cards]
    return _csv(header, rows)


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(csv_rows(rows))  # a name starting with = is quoted, never a formula
    return out.getvalue().encode("utf-8-sig")


def _packaged_font() -> Path | None:
    try:
        import pylopdf_fonts_zh_cn  # Noto Sans SC (SIL OFL 1.1); see pyproject.toml
    except ImportError:
        return None
    return pylopdf_fonts_zh_cn.sans_path()


def _check(path: Path, index: int) -> None:
    """Raise FontProblem unless ``path`` is a font with Chinese that may be embedded."""
    if not path.is_file():
        raise FontProblem("font_missing", path)
    try:
        # fontTools leaves the file open when it fails to read it: give it one to close.
        with path.open("rb") as file, ttLib.TTFont(file, fontNumber=index, lazy=True) as font:
            cmap = font.getBestCmap() or {}
            outlines = "glyf" in font or "CFF " in font
            fs_type = font["OS/2"].fsType if "OS/2" in font else 0
    except Exception as problem:  # any malformed file: fontTools raises many kinds
        raise FontProblem(
            "font_unreadable", path, str(problem) or type(problem).__name__
        ) from None
    if not outlines:
        raise FontProblem("font_unreadable", path, "no TrueType or CFF outlines")
    if not all(ord(c) in cmap for c in PROBE):
        raise FontProblem("font_no_chinese", path)
    if fs_type == 0x0002 or fs_type & 0x0300:  # reportlab's test: "restricted licence"
        raise FontProblem("font_no_embedding", path)


def _usable(path: Path, index: int) -> bool:
    try:
        _check(path, index)
    except FontProblem:
        return False
    return True


def _register_font(font: Font, text: str) -> TTFont | UnicodeCIDFont:
    """Register ``font`` with reportlab for drawing ``text``; returns what was registered.

    reportlab embeds only TrueType outlines, so the font is first cut down with fontTools
    to the characters of ``text`` (a CJK font has tens of thousands; this keeps it quick)
    and CFF outlines (.otf, like the packaged Noto Sans SC) are converted to TrueType.
    reportlab then embeds the subset of it that the cards use."""
    if font.path is None:
        return _fallback_font()
    try:
        data = _truetype_subset(font.path, font.index, text)
        registered = TTFont(EMBEDDED, data)
    except Exception as problem:  # _check passed, so this is a font fontTools/reportlab reject
        raise FontProblem("font_unreadable", font.path, str(problem)) from None
    pdfmetrics.registerFont(registered)
    return registered


@cache
def _fallback_font() -> UnicodeCIDFont:
    registered = UnicodeCIDFont(FALLBACK)
    pdfmetrics.registerFont(registered)
    return registered


def _truetype_subset(path: Path, index: int, text: str) -> io.BytesIO:
    options = subset.Options()
    options.layout_features = []  # reportlab draws one glyph per character, unshaped
    options.hinting = False
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    out = io.BytesIO()
    log = logging.getLogger("fontTools")  # it warns of tables it drops, e.g. "FFTM NOT subset"
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with path.open("rb") as file, ttLib.TTFont(file, fontNumber=index, lazy=True) as font:
            subsetter.subset(font)
            if "CFF " in font:
                _cff_to_truetype(font)
            font.save(out)
    finally:
        log.setLevel(level)
    out.seek(0)
    return out


def _cff_to_truetype(font: Any) -> None:
    """Replace the cubic CFF outlines of ``font`` by quadratic TrueType ones (in place)."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = ttLib.newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = ttLib.newTable("loca")
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    hinting = "maxTwilightPoints maxStorage maxFunctionDefs maxInstructionDefs maxStackElements"
    for field in [*hinting.split(), "maxSizeOfInstructions", "maxComponentElements"]:
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    font.sfntVersion = "\0\1\0\0"


def _characters(cards: Sequence[Card], language: Language) -> str:
    """Every character the cards may show: the card texts, what is on the cards, ASCII."""
    texts = [template(language, key) for key in keys(language) if key.startswith("cards.")]
    return "".join([*texts, *(_strings(card) for card in cards), string.printable])


def _strings(value: object) -> str:
    """The text in ``value`` and the dataclasses and tuples in it, run together."""

    def walk(item: object) -> Iterator[str]:
        if isinstance(item, str):
            yield item
        elif isinstance(item, int | float):
            yield str(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            for field in dataclasses.fields(item):
                yield from walk(getattr(item, field.name))
        elif isinstance(item, tuple | list):
            for element in item:
                yield from walk(element)
        elif hasattr(item, "value"):  # an enum
            yield str(item.value)

    return "".join(walk(value))


class Stamps:
    """What many cards of a run share (the title, headings, the sentence under the QR, a
    township's panel) is drawn once as a PDF form and stamped on each card: a third of
    the drawing time of a big run, and a smaller file."""

    def __init__(self, canvas: Canvas) -> None:
        self._canvas = canvas
        self._names: dict[object, str] = {}

    def __call__(self, key: object, draw: Callable[[], None]) -> None:
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = f"stamp{len(self._names)}"
            self._canvas.beginForm(name)
            draw()
            self._canvas.endForm()
        self._canvas.doForm(name)


def _card(
    canvas: Canvas,
    card: Card,
    qr: tuple[int, str],
    sheet: Sheet,
    size: tuple[float, float],
    font: str,
    stamps: Stamps,
) -> None:
    """One card in a ``width`` × ``height`` box at the origin: text above, the QR below."""
    language, (width, height) = sheet.language, size
    if isinstance(card, HouseholdCard):
        _household_text(canvas, card, sheet, size, font, stamps)
        scan = t(language, "cards.scan")
        note = t(language, "cards.phones", count=sheet.phones_per_household)
        beside = panel(card, sheet)
    else:
        _cadre_text(canvas, card, language, width, height, font)
        scan, note, beside = t(language, "cards.cadre_scan"), "", Panel(())
    link = deep_link(sheet.bot_username, card.code)
    left = beside.sections != ()
    _qr_block(canvas, link, qr, width, font, left)
    stamps(("under", scan, note, left), lambda: _under_qr(canvas, (scan, note), width, font))
    if beside.sections:
        stamps(beside, lambda: _panel(canvas, beside, width, font))


def _household_text(
    canvas: Canvas,
    card: HouseholdCard,
    sheet: Sheet,
    size: tuple[float, float],
    font: str,
    stamps: Stamps,
) -> None:
    """Title, the household, and its linked cadres in tier order (or a word that none is),
    each with their reception day if their rank has one."""
    (width, height), language = size, sheet.language
    inner, household = width - 2 * MARGIN, card.household
    y = _title_height(height)
    head = t(language, "cards.head", name=household.head_name)
    y = _line(canvas, head, y - 20, 13, inner, font)
    address = t(language, "cards.address", address=household.address or card.region_name)
    for part in _wrap(address, 9.5, inner, font, lines=2):
        y = _line(canvas, part, y - 14, 9.5, inner, font)
    number = t(language, "cards.household_id", id=household.id)
    y = _line(canvas, number, y - 13, 9, inner, font, GREY) - 21
    stamps(("frame", y), lambda: _household_frame(canvas, language, size, font, y))
    if not card.cadres:
        _line(canvas, t(language, "cards.no_cadres"), y - 21, 10, inner, font)
        return
    step = min(ROW, (y - 12 - _qr_top()) / len(card.cadres))
    for linked in card.cadres:
        y -= step
        received = sheet.reception.get(linked.cadre.rank.value)
        _cadre_row(canvas, language, linked, y, width, step / ROW, font, received)


def _cadre_row(
    canvas: Canvas,
    language: Language,
    linked: LinkedCadre,
    y: float,
    width: float,
    scale: float,
    font: str,
    received: str | None = None,
) -> None:
    """``第一联系人  王小明  村干部 · 每周一接待 …… 13800000000`` on one line, shrunk if rows
    are many (the rank and reception day, smaller and grey, shrink first)."""
    cadre = linked.cadre
    phone_size = 10.5 * scale
    phone_width = pdfmetrics.stringWidth(cadre.phone, font, phone_size)
    canvas.setFillColor(colors.black)
    canvas.setFont(font, phone_size)
    canvas.drawRightString(width - MARGIN, y, cadre.phone)
    tier = _tier(language, linked.tier)
    _fitted(canvas, tier, MARGIN, y, 8.5 * scale, LABEL - 4, font, GREY)
    rank = t(language, f"cards.rank.{cadre.rank.value}")
    if received:
        rank = t(language, "cards.reception.card", rank=rank, rule=received)
    room = width - 2 * MARGIN - LABEL - phone_width - 6
    name_size, rank_size = 11 * scale, 8.5 * scale
    name_width = pdfmetrics.stringWidth(cadre.name, font, name_size)
    rank_width = pdfmetrics.stringWidth(rank, font, rank_size)
    shrink = min(1.0, room / (name_width + 5 + rank_width))
    canvas.setFillColor(colors.black)
    canvas.setFont(font, name_size * shrink)
    canvas.drawString(MARGIN + LABEL, y, cadre.name)
    canvas.setFillColor(GREY)
    canvas.setFont(font, rank_size * shrink)
    canvas.drawString(MARGIN + LABEL + (name_width + 5) * shrink, y, rank)


def _household_frame(
    canvas: Canvas, language: Language, size: tuple[float, float], font: str, y: float
) -> None:
    """What every household card has: the title, and the cadres' heading at ``y``."""
    width, height = size
    _title(canvas, t(language, "cards.title"), width, height, font)
    _line(canvas, t(language, "cards.cadres_heading"), y, 10.5, width - 2 * MARGIN, font, ACCENT)
    _rule(canvas, y - 5, width)


def _cadre_text(
    canvas: Canvas, card: CadreCard, language: Language, width: float, height: float, font: str
) -> None:
    """Title, the cadre's name, rank, unit, the region served and how many households."""
    inner = width - 2 * MARGIN
    cadre = card.cadre
    y = _title(canvas, t(language, "cards.cadre_title"), width, height, font)
    y = _line(canvas, cadre.name, y - 26, 18, inner, font)
    lines = [
        t(language, "cards.cadre_rank", rank=t(language, f"cards.rank.{cadre.rank.value}")),
        t(language, "cards.cadre_unit", unit=cadre.unit) if cadre.unit else "",
        t(language, "cards.cadre_region", region=card.region_name),
        t(language, "cards.cadre_households", count=card.households),
    ]
    y -= 4
    for text in filter(None, lines):
        y = _line(canvas, text, y - 16, 10.5, inner, font)


def _title(canvas: Canvas, text: str, width: float, height: float, font: str) -> float:
    """The card's title, centred, with a rule under it; returns the rule's height."""
    canvas.setFillColor(ACCENT)
    size = _fit(text, 17, width - 2 * MARGIN, font)
    canvas.setFont(font, size)
    y = height - MARGIN - 15
    canvas.drawCentredString(width / 2, y, text)
    _rule(canvas, y - 8, width)
    return _title_height(height)


def _title_height(height: float) -> float:
    """The height of the rule under the title."""
    return height - MARGIN - 15 - 8


def _qr_block(
    canvas: Canvas, link: str, qr: tuple[int, str], width: float, font: str, left: bool
) -> None:
    """The QR (centred, or at the left when a panel stands beside it) above the link."""
    inner = width - 2 * MARGIN
    x = MARGIN if left else (width - QR_SIZE) / 2
    draw_qr(canvas, qr, x, _qr_top() - QR_SIZE, QR_SIZE)
    canvas.setFillColor(colors.black)
    size = _fit(link, 7.5, inner, MONO)
    canvas.setFont(MONO, size)
    canvas.drawCentredString(width / 2, MARGIN + 21, link)


def _under_qr(canvas: Canvas, text: tuple[str, str], width: float, font: str) -> None:
    """The sentence that says what scanning does, and a footnote."""
    inner, (scan, note) = width - 2 * MARGIN, text
    _fitted(canvas, scan, width / 2, MARGIN + 9, 9, inner, font, colors.black, centred=True)
    if note:
        _fitted(canvas, note, width / 2, MARGIN - 1, 7, inner, font, GREY, centred=True)


def _qr_top() -> float:
    return MARGIN + BOTTOM + QR_SIZE


def draw_qr(canvas: Canvas, qr: tuple[int, str], x: float, y: float, size: float) -> None:
    """A QR (``qr_path``) in the ``size`` square at (x, y), a quiet zone of ``QR_QUIET``
    modules inside it: one filled path of rectangles (a run of dark modules each), with
    no stroke, so the modules neither grow nor leave hairline gaps when scaled."""
    count, ops = qr
    module = size / (count + 2 * QR_QUIET)
    canvas.saveState()
    canvas.translate(x + QR_QUIET * module, y + size - QR_QUIET * module)
    canvas.scale(module, module)
    canvas.setFillColor(colors.black)
    canvas.addLiteral(ops)
    canvas.restoreState()


def _qr_paths(links: Sequence[str], workers: int) -> Iterator[tuple[int, str]]:
    """``qr_path`` of each link, in order. With ``workers`` > 1 and many cards, forked
    worker processes encode them (segno is pure Python: over a millisecond a code, as
    long as drawing the rest of the card) while this one draws the cards whose codes are
    ready. Forked, because a spawned worker imports the whole command line again (a
    second each); so only from a process with no other thread (the command line, after
    its database is closed), never from the bot, whose threads a fork would copy
    mid-step."""
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or len(links) < PARALLEL_FROM or not forkable or threading.active_count() > 1:
        yield from map(qr_path, links)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield from pool.map(qr_path, links, chunksize=100)


def _panel(canvas: Canvas, beside: Panel, width: float, font: str) -> None:
    """The panel right of the QR: headings in the accent colour, lines under them, every
    line shrunk to the panel's width; sizes shrink together when there are many lines."""
    x = MARGIN + QR_SIZE + PANEL_GAP
    room = width - MARGIN - x
    count = sum(1 + len(lines) for _, lines in beside.sections)
    gaps = len(beside.sections) - 1
    step = min(PANEL_SIZE * 1.45, (QR_SIZE - 4 - gaps * 3) / max(count, 1))
    size = min(PANEL_SIZE, step / 1.3)
    y = _qr_top() - 2 - size
    for heading, lines in beside.sections:
        _fitted(canvas, heading, x, y, size, room, font, ACCENT)
        for line in lines:
            y -= step
            _fitted(canvas, line, x, y, size, room, font)
        y -= step + 3


def _line(
    canvas: Canvas,
    text: str,
    y: float,
    size: float,
    room: float,
    font: str,
    color: colors.Color = colors.black,
) -> float:
    """One left-aligned line at ``y`` (shrunk to fit); returns ``y`` for the next to step from."""
    _fitted(canvas, text, MARGIN, y, size, room, font, color)
    return y


def _fitted(
    canvas: Canvas,
    text: str,
    x: float,
    y: float,
    size: float,
    room: float,
    font: str,
    color: colors.Color = colors.black,
    *,
    centred: bool = False,
) -> None:
    canvas.setFillColor(color)
    canvas.setFont(font, _fit(text, size, room, font))
    if centred:
        canvas.drawCentredString(x, y, text)
    else:
        canvas.drawString(x, y, text)


def _fit(text: str, size: float, room: float, font: str) -> float:
    """The largest size up to ``size`` at which ``text`` fits in ``room`` points."""
    width = pdfmetrics.stringWidth(text, font, size)
    return size if width <= room else max(4.0, size * room / width)


def _wrap(text: str, size: float, room: float, font: str, lines: int) -> list[str]:
    """Break ``text`` (Chinese has no spaces) into at most ``lines`` lines of ``room`` points.

    The last line takes whatever is left; ``_fitted`` then shrinks it to fit."""
    out: list[str] = []
    rest = text
    while rest and len(out) < lines - 1:
        cut = len(rest)
        while cut > 1 and pdfmetrics.stringWidth(rest[:cut], font, size) > room:
            cut -= 1
        out.append(rest[:cut])
        rest = rest[cut:]
    return [*out, rest] if rest else out


def _tier(language: Language, tier: int) -> str:
    if 1 <= tier <= 9:
        return t(language, f"cards.tier_{tier}")
    return t(language, "cards.tier_other", tier=tier)


def _rule(canvas: Canvas, y: float, width: float) -> None:
    canvas.setStrokeColor(colors.HexColor("#BBBBBB"))
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, y, width - MARGIN, y)


def _cut_lines(canvas: Canvas, width: float, height: float) -> None:
    """Light dashed lines between the four cards of an A4 sheet, to cut along."""
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor("#CCCCCC"))
    canvas.setLineWidth(0.3)
    canvas.setDash(3, 3)
    canvas.line(width, 0, width, 2 * height)
    canvas.line(0, height, 2 * width, height)
    canvas.restoreState()
