"""Contact cards as paper: a PDF to print (A6, or four A6 to an A4 sheet), or a CSV to merge.

Rendering only: the cards arrive with their codes already issued (``storage.codes``).
Chinese is set in a font embedded in the PDF (only the characters used), so the cards
print the same on a print shop's computer that has no Chinese font: ``[cards] font``,
else the Noto Sans SC that pylopdf-fonts-zh-cn installs, else a well-known system font
(``find_font``). Only when none is found does it fall back to reportlab's CID font
STSong-Light, which is not embedded: then the viewer must supply the glyphs. The QR is
reportlab's own, drawn as vector squares so it scans however the sheet is scaled.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import os
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from fontTools import subset, ttLib  # type: ignore[import-untyped]
from fontTools.pens.cu2quPen import Cu2QuPen  # type: ignore[import-untyped]
from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from bot.cells import csv_rows
from bot.domain.codes import CadreCard, HouseholdCard, deep_link
from bot.domain.roster import LinkedCadre, Rank
from bot.domain.schedule import Repeat
from bot.i18n import Language, keys, t, template

Card = HouseholdCard | CadreCard
CardSize = Literal["a6", "a4"]

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
    cards: Sequence[Card], sheet: Sheet, size: CardSize = "a6", font: Font | None = None
) -> bytes:
    """One card per A6 page, or four per A4 page with light cut lines between them.

    ``font``: the Chinese font (default: ``find_font(None)``)."""
    font = find_font(None) if font is None else font
    extra = "".join(sheet.reception.values())
    registered = _register_font(font, _characters(cards, sheet.language) + extra)
    try:
        return _pdf(cards, sheet, size, registered.fontName)
    finally:
        if isinstance(registered, TTFont):
            registered.unregister()  # the next run embeds a font made for its own text


def _pdf(cards: Sequence[Card], sheet: Sheet, size: CardSize, font: str) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A6 if size == "a6" else A4)
    canvas.setTitle(t(sheet.language, "cards.title"))
    width, height = A6 if size == "a6" else (A4[0] / 2, A4[1] / 2)
    # Where each card of a page sits: A6 fills its page; A4 reads left to right, top down.
    origins = [(0.0, 0.0)] if size == "a6" else [(0, height), (width, height), (0, 0), (width, 0)]
    for start in range(0, len(cards), len(origins)):
        for origin, card in zip(origins, cards[start : start + len(origins)], strict=False):
            canvas.saveState()
            canvas.translate(*origin)
            _card(canvas, card, sheet, width, height, font)
            canvas.restoreState()
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


def _card(
    canvas: Canvas, card: Card, sheet: Sheet, width: float, height: float, font: str
) -> None:
    """One card in a ``width`` × ``height`` box at the origin: text above, the QR below."""
    language = sheet.language
    if isinstance(card, HouseholdCard):
        _household_text(canvas, card, sheet, width, height, font)
        scan = t(language, "cards.scan")
        note = t(language, "cards.phones", count=sheet.phones_per_household)
    else:
        _cadre_text(canvas, card, language, width, height, font)
        scan, note = t(language, "cards.cadre_scan"), ""
    _qr_block(canvas, deep_link(sheet.bot_username, card.code), scan, note, width, font)


def _household_text(
    canvas: Canvas,
    card: HouseholdCard,
    sheet: Sheet,
    width: float,
    height: float,
    font: str,
) -> None:
    """Title, the household, and its linked cadres in tier order (or a word that none is),
    each with their reception day if their rank has one."""
    inner, language = width - 2 * MARGIN, sheet.language
    household = card.household
    y = _title(canvas, t(language, "cards.title"), width, height, font)
    head = t(language, "cards.head", name=household.head_name)
    y = _line(canvas, head, y - 20, 13, inner, font)
    address = t(language, "cards.address", address=household.address or card.region_name)
    for part in _wrap(address, 9.5, inner, font, lines=2):
        y = _line(canvas, part, y - 14, 9.5, inner, font)
    number = t(language, "cards.household_id", id=household.id)
    y = _line(canvas, number, y - 13, 9, inner, font, GREY)
    y = _line(canvas, t(language, "cards.cadres_heading"), y - 21, 10.5, inner, font, ACCENT)
    _rule(canvas, y - 5, width)
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
    return y - 8


def _qr_block(canvas: Canvas, link: str, scan: str, note: str, width: float, font: str) -> None:
    """The QR centred above the link, the sentence that says what scanning does, a footnote."""
    inner = width - 2 * MARGIN
    widget = QrCodeWidget(link, barWidth=QR_SIZE, barHeight=QR_SIZE, barLevel="M", barBorder=2)
    drawing = Drawing(QR_SIZE, QR_SIZE)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, (width - QR_SIZE) / 2, _qr_top() - QR_SIZE)
    canvas.setFillColor(colors.black)
    size = _fit(link, 7.5, inner, MONO)
    canvas.setFont(MONO, size)
    canvas.drawCentredString(width / 2, MARGIN + 21, link)
    _fitted(canvas, scan, width / 2, MARGIN + 9, 9, inner, font, colors.black, centred=True)
    if note:
        _fitted(canvas, note, width / 2, MARGIN - 1, 7, inner, font, GREY, centred=True)


def _qr_top() -> float:
    return MARGIN + BOTTOM + QR_SIZE


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
