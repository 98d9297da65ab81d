"""The county's own 花名册: one sheet, a household a line, its cadres in columns beside it.

Counties keep their roster as one sheet (东坪镇干部联户名册): a title row, then
``序号|乡镇|村委会|村民小组|户主姓名|身份证号|联系电话|联户干部|职务|干部电话``, in any order,
with merged village cells and no ids. This module says which header means what (the
header dictionary, extendable in ``[roster.headers]``), which 职务 is which rank (the
rank aliases, extendable in ``[roster.ranks]``), and holds a line as read.

The ID card number (身份证号) is recognised so that it is not called an unknown column,
and then dropped: nothing of it is kept, shown or stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.roster import RANK_NAMES, Rank


class Field(StrEnum):
    """What a column of the sheet holds."""

    NUMBER = "number"  # 序号: ignored
    TOWNSHIP = "township"
    VILLAGE = "village"
    GROUP = "group"
    HOUSEHOLD_ID = "household_id"  # optional: generated when absent
    HEAD_NAME = "head_name"
    ID_CARD = "id_card"  # recognised, never kept
    PHONE = "phone"
    ADDRESS = "address"
    CADRE_ID = "cadre_id"  # optional: generated when absent
    CADRE_NAME = "cadre_name"
    RANK = "rank"
    CADRE_PHONE = "cadre_phone"
    UNIT = "unit"
    IGNORE = "ignore"  # a column the county keeps for itself (备注, 人口数 …), said in config


# The columns a cadre is described by; a sheet may repeat them (联户干部1 … 联户干部2 …):
# the n-th set gives the household's tier-n cadre.
CADRE_FIELDS = frozenset(
    {Field.CADRE_ID, Field.CADRE_NAME, Field.RANK, Field.CADRE_PHONE, Field.UNIT}
)
REQUIRED = (Field.VILLAGE, Field.HEAD_NAME)

# The header dictionary: how counties title their columns (after normalise_header).
HEADERS: dict[str, Field] = {
    **{f.value: f for f in Field},
    **dict.fromkeys(("序号", "编号", "序", "no", "no."), Field.NUMBER),
    **dict.fromkeys(
        ("乡镇", "乡(镇)", "乡镇(街道)", "镇", "乡", "所属乡镇", "乡镇名称"), Field.TOWNSHIP
    ),
    **dict.fromkeys(
        ("村委会", "行政村", "村", "村(社区)", "村名", "社区", "村居", "所属村", "村委"),
        Field.VILLAGE,
    ),
    **dict.fromkeys(("村民小组", "组", "小组", "村小组", "自然村", "组别"), Field.GROUP),
    **dict.fromkeys(("户编号", "户号"), Field.HOUSEHOLD_ID),
    **dict.fromkeys(("户主姓名", "户主", "户主名", "姓名"), Field.HEAD_NAME),
    **dict.fromkeys(
        ("身份证号", "身份证号码", "户主身份证号", "公民身份号码", "身份证"), Field.ID_CARD
    ),
    **dict.fromkeys(
        ("联系电话", "户主电话", "户主联系电话", "电话", "手机号", "手机号码", "联系方式"),
        Field.PHONE,
    ),
    **dict.fromkeys(("住址", "地址", "家庭住址", "门牌号"), Field.ADDRESS),
    **dict.fromkeys(("干部编号",), Field.CADRE_ID),
    **dict.fromkeys(
        ("联户干部", "包联干部", "联系干部", "结对干部", "帮扶干部", "干部姓名", "包户干部"),
        Field.CADRE_NAME,
    ),
    **dict.fromkeys(("职务", "干部职务", "职级"), Field.RANK),
    **dict.fromkeys(
        ("干部电话", "干部联系电话", "联户干部电话", "包联干部电话", "干部手机"), Field.CADRE_PHONE
    ),
    **dict.fromkeys(("单位", "工作单位", "干部单位", "所在单位"), Field.UNIT),
    **dict.fromkeys(("备注",), Field.IGNORE),
}

# How counties write 职务, beyond RANK_NAMES' six names (extendable in [roster.ranks]).
RANK_ALIASES: dict[str, Rank] = {
    **dict.fromkeys(
        ("县领导", "县委常委", "县长", "副县长", "县委书记", "县委副书记"), Rank.COUNTY_LEADER
    ),
    **dict.fromkeys(("科级", "局长", "副局长", "科长", "部门负责人"), Rank.SECTION_CHIEF),
    **dict.fromkeys(
        ("党委书记", "镇党委书记", "乡党委书记", "镇长", "乡长"), Rank.TOWNSHIP_SECRETARY
    ),
    **dict.fromkeys(
        ("镇干部", "乡干部", "副镇长", "副乡长", "包村干部", "联村干部", "包片干部"),
        Rank.TOWNSHIP_CADRE,
    ),
    **dict.fromkeys(
        (
            "村支书",
            "村党支部书记",
            "支部书记",
            "村书记",
            "村主任",
            "村委会主任",
            "村委主任",
            "第一书记",
            "驻村第一书记",
            "驻村工作队",
            "驻村工作队员",
            "驻村工作队长",
            "工作队员",
            "驻村干部",
            "村委委员",
            "村两委",
            "村文书",
            "村会计",
            "村监委主任",
        ),
        Rank.VILLAGE_CADRE,
    ),
    **dict.fromkeys(
        ("网格长", "网格员", "专职网格员", "兼职网格员", "村民小组长", "小组长", "组长"),
        Rank.GRID_WORKER,
    ),
}

_SPACE = re.compile(r"\s+")
_NUMBERED = re.compile(r"^(.*?)(?:[(]?[0-9一二三四五六七八九十]+[)]?)$")


def normalise_header(text: str) -> str:
    """``户主\\n姓名：`` → ``户主姓名``: full-width folded, spaces and trailing colons gone,
    lower-cased (``NO.``)."""
    folded = unicodedata.normalize("NFKC", text)
    return _SPACE.sub("", folded).rstrip(":*").lower()


def header_field(text: str, headers: Mapping[str, Field]) -> Field | None:
    """The field a header names, or None; ``联户干部2``, ``联户干部（二）`` name the same
    field as ``联户干部`` (a second set of cadre columns)."""
    label = normalise_header(text)
    if label in headers:
        return headers[label]
    numbered = _NUMBERED.match(label)
    if numbered and numbered[1] in headers and headers[numbered[1]] in CADRE_FIELDS:
        return headers[numbered[1]]
    return None


def header_dictionary(extra: Mapping[str, str]) -> dict[str, Field]:
    """The built-in dictionary with the configuration's additions (``header = field``)."""
    return {**HEADERS, **{normalise_header(k): Field(v) for k, v in extra.items()}}


def rank_dictionary(extra: Mapping[str, str]) -> dict[str, Rank]:
    """Every 职务 the import understands (lower-cased): the ranks' own names, the aliases,
    and the configuration's additions (``alias = rank``)."""
    names = {**RANK_NAMES, **RANK_ALIASES}
    names.update({normalise_header(k): Rank(v) for k, v in extra.items()})
    return {normalise_header(k): v for k, v in names.items()}


@dataclass(frozen=True)
class SheetCadre:
    """One set of cadre cells of a line, as typed (the rank still text)."""

    id: str
    name: str
    rank: str
    phone: str
    unit: str
    columns: Mapping[Field, str] = field(default_factory=dict)  # field → header, for problems


@dataclass(frozen=True)
class SheetLine:
    """One household line as read (merged cells filled in); text, not yet checked."""

    where: str  # "花名册.xlsx [东坪镇]"
    row: int
    township: str
    village: str
    group: str
    household_id: str
    head_name: str
    phone: str
    address: str
    cadres: tuple[SheetCadre, ...] = ()
    columns: Mapping[Field, str] = field(default_factory=dict)  # field → header, for problems


def _default_headers() -> dict[str, Field]:
    return dict(HEADERS)


def _default_ranks() -> dict[str, Rank]:
    return rank_dictionary({})


@dataclass(frozen=True)
class SheetOptions:
    """The dictionaries an import reads with (``[roster]`` in the configuration)."""

    headers: Mapping[str, Field] = field(default_factory=_default_headers)
    ranks: Mapping[str, Rank] = field(default_factory=_default_ranks)
    county: str = ""  # the county's name, when the database holds no county yet

    @classmethod
    def extended(
        cls, headers: Mapping[str, str], ranks: Mapping[str, str], county: str = ""
    ) -> SheetOptions:
        return cls(header_dictionary(headers), rank_dictionary(ranks), county)
