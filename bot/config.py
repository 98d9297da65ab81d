"""Configuration: a TOML file (and LIANXIN_TOKEN) read into typed models.

Every problem is reported at once, one line each, naming the key; the token never
appears in a message.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date, timedelta, tzinfo
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.domain import roster_sheet, rota, rounds, schedule, stats, stays
from bot.domain.deadlines import Delivery, Supervision
from bot.domain.lifecycle import Category
from bot.domain.requests import Deadlines
from bot.domain.roster import Rank
from bot.durations import parse_duration

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def _at_least_a_second(value: timedelta) -> timedelta:
    if value < timedelta(seconds=1):
        raise ValueError("must be at least 1s")
    return value


# How often a sweep looks at the database: never a busy loop.
SweepInterval = Annotated[Duration, AfterValidator(_at_least_a_second)]
TOKEN_ENV = "LIANXIN_TOKEN"  # noqa: S105 - the name of a variable, not a secret
# One file may describe several counties (``[counties.<id>]``); an id names the county's
# PostgreSQL schema (``county_<id>``), its token variable (``LIANXIN_TOKEN_<ID>``) and
# its systemd unit (``lianxin@<id>``).
_COUNTY_ID = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
# database.url, password included: kept in the 0600 env file beside the token, not in
# config.toml.
DATABASE_URL_ENV = "LIANXIN_DATABASE_URL"
# The province's own bot (``lianxin run --province``): its folder, schema and token.
PROVINCE = "province"
PROVINCE_TOKEN_ENV = "LIANXIN_TOKEN_PROVINCE"  # noqa: S105 - the name of a variable
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_LOOPBACK = ("http://127.0.0.1:", "http://localhost:")
# Telegram takes 1-256 of these; fewer than 16 would be guessable.
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


class ConfigError(Exception):
    """Start-up must stop; ``problems`` are the lines to show, one per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TelegramConfig(_Section):
    token: SecretStr | None = None
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    mode: Literal["polling", "webhook"] = "polling"
    poll_timeout: Duration = timedelta(seconds=50)

    @field_validator("token", mode="before")
    @classmethod
    def _no_token(cls, value: object) -> object:
        # token = "" in the file (the real one in LIANXIN_TOKEN, for `run` only): none here,
        # so the commands that do not talk to Telegram run without it.
        return None if value == "" else value

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN.match(value.get_secret_value()):
            raise ValueError(
                "is not a bot token: expected digits, a colon and a secret, as @BotFather gives it"
            )
        return value

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f'"{value}" must start with http:// or https://')
        return value.rstrip("/")


class WebhookConfig(_Section):
    listen: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    path: str = "/telegram"
    public_url: str = ""
    # Telegram sends it back in every call; None (or ""): a random one made at each start.
    secret_token: SecretStr | None = None

    @field_validator("secret_token", mode="before")
    @classmethod
    def _secret_shape(cls, value: object) -> object:
        if value == "":  # secret_token = "" in the file: none configured
            return None
        if isinstance(value, str) and not _SECRET_TOKEN.match(value):
            raise ValueError(
                "must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - (as Telegram "
                "allows), or left out for a random one at each start"
            )
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f'"{value}" must start with /')
        return value


class DatabaseConfig(_Section):
    path: Path = Path("lianxin.db")
    # PostgreSQL instead of the file at ``path``: "postgresql://user:password@host/db".
    url: str = ""
    # The PostgreSQL schema holding this county's tables.
    schema_name: Annotated[str, Field(validation_alias="schema")] = "public"
    # Several processes on one PostgreSQL database: how long an inbox or outbox row, or a
    # sweep, stays a process's without its renewing it (a killed process's work waits
    # this long), and how soon another takes over the getUpdates loop of a killed one.
    lease: SweepInterval = timedelta(seconds=60)
    receiver_lease: SweepInterval = timedelta(seconds=15)

    @field_validator("url")
    @classmethod
    def _postgres_url(cls, value: str) -> str:
        if value and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must start with postgresql:// (or be empty for SQLite's file)")
        return value

    @field_validator("schema_name")
    @classmethod
    def _schema_name(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
            raise ValueError("must be lower-case letters, digits and _ (a PostgreSQL schema)")
        return value


class GeneralConfig(_Section):
    timezone: str = "Asia/Shanghai"
    language: Literal["zh", "en"] = "zh"
    admins: list[int] = []

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f'"{value}" is not a known time zone, e.g. "Asia/Shanghai"') from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class SenderConfig(_Section):
    messages_per_second: float = Field(default=28.0, gt=0, le=30)
    per_chat_interval: Duration = timedelta(seconds=1.05)
    max_backoff: Duration = timedelta(minutes=5)
    concurrency: int = Field(default=16, ge=1, le=256)


class BindingConfig(_Section):
    # How many phones one household's card may bind (a family sharing one card).
    phones_per_household: int = Field(default=4, ge=1, le=50)
    # More wrong codes than this within ``wrong_code_window`` refuse binding for ``lockout``.
    max_wrong_codes: int = Field(default=5, ge=1, le=100)
    wrong_code_window: Duration = timedelta(minutes=15)
    lockout: Duration = timedelta(minutes=30)


class RequestsConfig(_Section):
    # A resolved request the villager neither confirms nor reopens closes after this,
    # marked "confirmed by timeout" (never counted as satisfied).
    confirm_within: Duration = timedelta(days=7)
    # The household is reminded to confirm this long before that close (once; halfway
    # when confirm_within is shorter than twice this).
    remind_close_before: Duration = timedelta(days=1)
    # A villager's messages join their open request while it was active this recently;
    # after that a message starts a new request.
    conversation_idle: Duration = timedelta(hours=12)
    # How often the bot looks for requests due to close, to remind of or to escalate.
    sweep_every: SweepInterval = timedelta(minutes=1)

    @model_validator(mode="before")
    @classmethod
    def _moved_to_deadlines(cls, data: Any) -> Any:
        moved = [k for k in _MOVED_DUE_KEYS if isinstance(data, dict) and k in data]
        if moved:
            raise ValueError(
                f"{', '.join(moved)} moved to [deadlines]: acknowledge, urgent, and "
                "[deadlines.resolve] with one duration per category"
            )
        return data


_MOVED_DUE_KEYS = ("respond_within", "resolve_within", "urgent_within")
# In the spirit of the 12345 hotline: water, power and roads a day, general matters a
# week, complex ones (housing, disputes) fifteen days.
_RESOLVE_DEFAULTS = {
    Category.ROAD: timedelta(hours=24),
    Category.WATER: timedelta(hours=24),
    Category.POWER: timedelta(hours=24),
    Category.HEALTH: timedelta(days=7),
    Category.POLICY: timedelta(days=7),
    Category.HOUSING: timedelta(days=15),
    Category.DISPUTE: timedelta(days=15),
    Category.OTHER: timedelta(days=7),
}


def _optional_duration(value: object) -> timedelta | None:
    """A duration, or "" / "0" / 0 for none."""
    if value is None or value in ("", "0", 0):
        return None
    found = parse_duration(value)
    return found if found > timedelta(0) else None


class DeadlinesConfig(_Section):
    # The first response (受理, a reply or a solution) is due this long after filing.
    acknowledge: Duration = timedelta(hours=24)
    # Urgent safety matters: solved within this (and answered too).
    urgent: Duration = timedelta(hours=2)
    # Resolution by category; a category left out keeps its default.
    resolve: dict[str, Duration] = {}
    # The handler is reminded this long before a due time (at half the time for short ones).
    remind_before: Duration = timedelta(hours=2)
    # /extend sets the solution date at most this long after the current one (urgent
    # requests: max_extend_urgent), so no date switches escalation off.
    max_extend: Duration = timedelta(days=30)
    max_extend_urgent: Duration = timedelta(days=1)
    # 督办: past a due time the handler is urged and the supervisor told; the request goes
    # one tier up by itself only this long after the missed due time. "" or "0": never
    # (the default; work moves up when the handler presses 上报 or a supervisor decides).
    escalate_after: Annotated[timedelta | None, BeforeValidator(_optional_duration)] = None

    @field_validator("resolve")
    @classmethod
    def _known_categories(cls, value: dict[str, timedelta]) -> dict[str, timedelta]:
        known = {c.value for c in Category}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(
                f"unknown category {', '.join(repr(u) for u in unknown)}; "
                f"the categories are {', '.join(sorted(known))}"
            )
        return value

    @field_validator(
        "acknowledge", "urgent", "resolve", "remind_before", "max_extend", "max_extend_urgent"
    )
    @classmethod
    def _positive(cls, value: Any) -> Any:
        values = value.values() if isinstance(value, dict) else [value]
        if any(v <= timedelta(0) for v in values):
            raise ValueError("must be longer than 0s")
        return value

    def supervision(self, notices: NoticesConfig) -> Supervision:
        return Supervision(
            self.escalate_after, Delivery(notices.supervisors), Delivery(notices.admins)
        )

    def table(self) -> Deadlines:
        by_category = {**_RESOLVE_DEFAULTS, **{Category(k): v for k, v in self.resolve.items()}}
        return Deadlines(
            self.acknowledge, _RESOLVE_DEFAULTS[Category.OTHER], self.urgent, by_category
        )


class NoticesConfig(_Section):
    # How supervisors and administrators hear of overdue requests, extensions and requests
    # stalled at the top: "digest" (a line in their next digest; urgent ones at once too)
    # or "instant" (a message each, at once).
    supervisors: Literal["digest", "instant"] = "digest"
    admins: Literal["digest", "instant"] = "digest"


class AwayConfig(_Section):
    # /away registers at most this far ahead (new requests go to the backup meanwhile).
    max: Duration = timedelta(days=90)

    @field_validator("max")
    @classmethod
    def _at_least_a_day(cls, value: timedelta) -> timedelta:
        if value < timedelta(days=1):
            raise ValueError('must be at least 1d, e.g. "90d"')
        return value


class ReceptionConfig(_Section):
    # Each rank's reception day (接访日): "weekly:mon" … "weekly:sun", "monthly:1" …
    # "monthly:31" (past the month's end: its last day), or "" for none.
    county_leader: str = "monthly:1"
    section_chief: str = ""
    township_secretary: str = "weekly:mon"
    township_cadre: str = ""
    village_cadre: str = ""
    grid_worker: str = ""

    @field_validator("*")
    @classmethod
    def _repeat(cls, value: str) -> str:
        schedule.parse_repeat(value)
        return value


class StayQuotaConfig(_Section):
    # Village-stay days a month by rank (the 2468 rule); 0: no quota.
    county_leader: int = Field(default=2, ge=0, le=31)
    section_chief: int = Field(default=4, ge=0, le=31)
    township_secretary: int = Field(default=6, ge=0, le=31)
    township_cadre: int = Field(default=8, ge=0, le=31)
    village_cadre: int = Field(default=0, ge=0, le=31)
    grid_worker: int = Field(default=0, ge=0, le=31)


class DigestConfig(_Section):
    # "daily", "weekly" (Mondays), "weekly:fri", "monthly:1" or "off".
    supervisors: str = "daily"
    at: str = "08:00"

    @field_validator("supervisors")
    @classmethod
    def _repeat(cls, value: str) -> str:
        schedule.parse_repeat(value, allow_daily=True)
        return value

    @field_validator("at")
    @classmethod
    def _time(cls, value: str) -> str:
        schedule.parse_clock_time(value)
        return value


class StaysConfig(_Section):
    # A stay counts with evidence when locations inside the village's area cover the
    # night's evening (from this hour) and the next morning (until this hour), local.
    evening: str = "21:00"
    morning: str = "06:00"
    # A village's area when the roster gives its centre (lat, lon) but no radius_m.
    radius_m: float = Field(default=2000.0, gt=0, le=100_000)

    @field_validator("evening", "morning")
    @classmethod
    def _time(cls, value: str) -> str:
        schedule.parse_clock_time(value)
        return value

    def hours(self, zone: tzinfo) -> stays.Hours:
        return stays.Hours(
            zone,
            schedule.parse_clock_time(self.evening),
            schedule.parse_clock_time(self.morning),
            self.radius_m,
        )


class ScheduleConfig(_Section):
    # Service days (days of the month; past the month's end: its last day).
    service_days: list[Annotated[int, Field(ge=1, le=31)]] = [15, 16]
    evening_before: str = "20:00"
    morning_of: str = "07:30"
    # Stay-quota reminders from this many days before the month ends (7: its last week),
    # repeated every ``quota_reminder_every`` (as long as the window or longer: once).
    quota_reminder_from_day: int = Field(default=7, ge=1, le=28)
    quota_reminder_every: Duration = timedelta(days=2)
    # How often the bot looks for reminders due.
    sweep_every: SweepInterval = timedelta(minutes=1)
    reception: ReceptionConfig = ReceptionConfig()
    stay_quota: StayQuotaConfig = StayQuotaConfig()
    digest: DigestConfig = DigestConfig()
    # On the 1st of each month at morning_of: last month's ranking of the villages and
    # cadres of each supervisor's jurisdiction.
    monthly_ranking: bool = True

    @field_validator("evening_before", "morning_of")
    @classmethod
    def _time(cls, value: str) -> str:
        schedule.parse_clock_time(value)
        return value

    @field_validator("quota_reminder_every")
    @classmethod
    def _whole_days(cls, value: timedelta) -> timedelta:
        if value < timedelta(days=1) or value % timedelta(days=1):
            raise ValueError('must be whole days, e.g. "1d" or "2d"')
        return value

    def rules(
        self, zone: tzinfo, admins: tuple[int, ...] = (), hours: stays.Hours | None = None
    ) -> schedule.Rules:
        """The rules the reminders follow, read afresh by every sweep."""
        return schedule.Rules(
            zone=zone,
            service_days=tuple(self.service_days),
            evening_before=schedule.parse_clock_time(self.evening_before),
            morning_of=schedule.parse_clock_time(self.morning_of),
            reception={
                Rank(rank): rule
                for rank, text in self.reception.model_dump().items()
                if (rule := schedule.parse_repeat(text)) is not None
            },
            stay_quota={Rank(rank): n for rank, n in self.stay_quota.model_dump().items() if n},
            quota_last_days=self.quota_reminder_from_day,
            quota_every_days=self.quota_reminder_every.days,
            digest=schedule.parse_repeat(self.digest.supervisors, allow_daily=True),
            digest_at=schedule.parse_clock_time(self.digest.at),
            monthly_ranking=self.monthly_ranking,
            admins=admins,
            stays=hours,
        )


def _rank_minimums(value: dict[str, int]) -> dict[str, int]:
    for rank, people in value.items():
        if rank not in {r.value for r in Rank}:
            known = ", ".join(r.value for r in Rank)
            raise ValueError(f'"{rank}" is not a rank; use one of {known}')
        if not 0 <= people <= 1000:
            raise ValueError(f"{rank} = {people}: write a number of people from 0 to 1000")
    return value


class RotaLevelConfig(_Section):
    # Each working night at least: `minimum` people of each rank, `at_least` people in
    # all, and `share` per cent of the region's cadres (rounded up; 20 means 20 %).
    minimum: Annotated[dict[str, int], AfterValidator(_rank_minimums)] = {}
    at_least: int = Field(default=0, ge=0, le=1000)
    share: int = 0

    @field_validator("share")
    @classmethod
    def _percent(cls, value: int) -> int:
        if not 0 <= value <= 100:
            raise ValueError(
                f"{value} is not a share of staff; write a percentage, 0 to 100 (20: 20 %)"
            )
        return value

    def minimums(self) -> rota.Minimums:
        by_rank = {Rank(rank): n for rank, n in self.minimum.items() if n}
        return rota.Minimums(by_rank, self.at_least, self.share)


def _weekday(value: str) -> str:
    if value.strip().lower() not in schedule.WEEKDAYS:
        raise ValueError(f'"{value}" is not a day of the week; write "mon" … "sun"')
    return value


class RotaConfig(_Section):
    # 住夜 rota (seed 004): who stays each working night in each township and village.
    enabled: bool = False
    nights: list[Annotated[str, AfterValidator(_weekday)]] = ["mon", "tue", "wed", "thu", "fri"]
    build_on: Annotated[str, AfterValidator(_weekday)] = "fri"  # next week's rota from then
    remind_at: str = "17:00"  # each person's reminder on their night
    township: RotaLevelConfig = RotaLevelConfig(
        minimum={"township_secretary": 1, "township_cadre": 2}, share=20
    )
    village: RotaLevelConfig = RotaLevelConfig(minimum={"village_cadre": 1}, at_least=3)

    @field_validator("remind_at")
    @classmethod
    def _time(cls, value: str) -> str:
        schedule.parse_clock_time(value)
        return value

    def rules(self, zone: tzinfo) -> rota.Rules:
        return rota.Rules(
            zone=zone,
            weekdays=frozenset(schedule.WEEKDAYS.index(d.strip().lower()) for d in self.nights),
            build_on=schedule.WEEKDAYS.index(self.build_on.strip().lower()),
            remind_at=schedule.parse_clock_time(self.remind_at),
            township=self.township.minimums(),
            village=self.village.minimums(),
        )


class CardsConfig(_Section):
    # The bot's @username (without @), for the deep link printed on contact cards.
    bot_username: str = ""
    # A Chinese font file (.ttf, .otf or .ttc: its first font) to embed in card PDFs;
    # None: the packaged Noto Sans SC, else a well-known system font (bot/cards.py).
    font: Path | None = None
    # The service hotline a household card shows when no region at or above its own has
    # one (the roster's regions sheet, column hotline / 服务热线); "": none.
    hotline: str = Field(default="", max_length=40)

    @field_validator("bot_username")
    @classmethod
    def _username(cls, value: str) -> str:
        value = value.removeprefix("@")
        if value and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", value):
            raise ValueError(f'"{value}" is not a Telegram bot username, e.g. "lianxin_bot"')
        return value

    @field_validator("font", mode="before")
    @classmethod
    def _font(cls, value: object) -> object:
        if value == "":  # font = "" in the file: none configured
            return None
        return Path(value).expanduser() if isinstance(value, str) else value


def _at_least(minimum: timedelta, why: str) -> AfterValidator:
    def check(value: timedelta) -> timedelta:
        if value < minimum:
            raise ValueError(why)
        return value

    return AfterValidator(check)


_REDELIVERY = 'must be at least "2d" (Telegram may deliver an update again within a day)'


class RetentionConfig(_Section):
    # Handled updates (the inbox) and sent messages (the outbox) are deleted after this;
    # requests, their trail and every figure of the statistics stay. At least 2 days:
    # Telegram may deliver an update again within a day, and the kept row says "seen".
    messages: Annotated[Duration, _at_least(timedelta(days=2), _REDELIVERY)] = timedelta(days=90)
    # Charts and workbooks sent to supervisors (files/ beside the database) are deleted
    # this long after they were made, once uploaded.
    files: Annotated[Duration, _at_least(timedelta(minutes=1), 'must be at least "1m"')] = (
        timedelta(days=1)
    )
    # Accounts that wrote to the bot but are bound to no household or cadre and never
    # took part in a request, silent this long, are deleted (with old wrong-code tries).
    strangers: Annotated[Duration, _at_least(timedelta(days=1), 'must be at least "1d"')] = (
        timedelta(days=30)
    )
    # How often the running bot purges (first a minute after start); `lianxin purge` does
    # the same at once.
    sweep_every: SweepInterval = timedelta(days=1)


class ThreeNightsConfig(_Section):
    """三夜: a visit logged from ``night_from`` to ``night_until`` (local; may pass
    midnight) is a 夜访; each week township ranks owe ``township_weekly`` of them,
    village ranks ``village_weekly``."""

    night_from: str = "19:00"
    night_until: str = "23:00"
    township_weekly: int = Field(default=1, ge=0, le=21)
    village_weekly: int = Field(default=3, ge=0, le=21)

    @field_validator("night_from", "night_until")
    @classmethod
    def _time(cls, value: str) -> str:
        schedule.parse_clock_time(value)
        return value

    def rules(self, zone: ZoneInfo) -> rounds.NightRules:
        return rounds.NightRules(
            zone=zone,
            start=schedule.parse_clock_time(self.night_from),
            end=schedule.parse_clock_time(self.night_until),
            township_weekly=self.township_weekly,
            village_weekly=self.village_weekly,
        )


class StatsConfig(_Section):
    # The longest period /stats (and its buttons) may cover, in whole days.
    max_period: Duration = timedelta(days=366)
    # No period may start before this day (nothing was filed before Lianxin existed).
    earliest: date = date(2000, 1, 1)
    # /stats and its buttons per person and minute; each person has one at a time.
    per_minute: int = Field(default=6, ge=1, le=600)
    # Long work (statistics, charts, workbooks) run at once, outside any transaction.
    workers: int = Field(default=2, ge=1, le=8)

    @field_validator("max_period")
    @classmethod
    def _whole_days(cls, value: timedelta) -> timedelta:
        if value < timedelta(days=1) or value % timedelta(days=1) or value.days > 3660:
            raise ValueError('must be whole days from "1d" to "3660d", e.g. "366d"')
        return value

    def bounds(self) -> stats.Bounds:
        return stats.Bounds(earliest=self.earliest, max_days=self.max_period.days)


def _header_fields(value: dict[str, str]) -> dict[str, str]:
    known = {f.value for f in roster_sheet.Field}
    for header, name in value.items():
        if name not in known:
            raise ValueError(
                f'"{header}" = "{name}": not a column; use one of {", ".join(sorted(known))}'
            )
    return value


def _rank_aliases(value: dict[str, str]) -> dict[str, str]:
    known = {r.value for r in Rank}
    for alias, rank in value.items():
        if rank not in known:
            raise ValueError(f'"{alias}" = "{rank}": not a rank; use one of {", ".join(known)}')
    return value


class RosterConfig(_Section):
    # The one-sheet 花名册 (README "Roster"): the county's name when the database holds
    # no county yet, and additions to the header dictionary and the rank aliases:
    # [roster.headers] "帮扶责任人" = "cadre_name"; [roster.ranks] "妇联主席" = "village_cadre".
    county: str = ""
    headers: Annotated[dict[str, str], AfterValidator(_header_fields)] = {}
    ranks: Annotated[dict[str, str], AfterValidator(_rank_aliases)] = {}

    def options(self) -> roster_sheet.SheetOptions:
        return roster_sheet.SheetOptions.extended(self.headers, self.ranks, self.county)


class ProvinceConfig(_Section):
    """``[province]``: the region above the counties (``lianxin province``, and the
    province's own bot: ``lianxin run --province``)."""

    name: str = ""  # as its figures are headed; empty: the catalogue's word
    counties: list[str] = []  # which of ``[counties]`` it covers; empty: all of them
    # Telegram user ids of the provincial supervisors: the only people the province's bot
    # answers with figures (it tells anyone else their id, to ask for it).
    supervisors: list[Annotated[int, Field(gt=0)]] = []
    # The province bot's own token (else LIANXIN_TOKEN_PROVINCE); never a county's.
    token: SecretStr | None = None
    # Where the province bot keeps its own inbox and outbox: a schema beside the counties'.
    schema_name: Annotated[str, Field(validation_alias="schema")] = "province"
    # How often the province bot counts its period buttons' figures in the background, so
    # that /stats answers at once with figures at most this old ("0s": count each time).
    refresh: Duration = timedelta(minutes=10)

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN.match(value.get_secret_value()):
            raise ValueError("not a bot token (123456:ABC-… from @BotFather)")
        return value

    @field_validator("schema_name")
    @classmethod
    def _schema_name(cls, value: str) -> str:
        if not _COUNTY_ID.match(value):
            raise ValueError("must be lower-case letters, digits and _ (a PostgreSQL schema)")
        return value

    @field_validator("refresh")
    @classmethod
    def _refresh(cls, value: timedelta) -> timedelta:
        if value and value < timedelta(minutes=1):
            raise ValueError('at least "1m" (every county is counted each time), or "0s"')
        return value


class Config(_Section):
    # Set by ``--county`` (never in the file): the county of ``[counties.<id>]`` this
    # configuration is, and the ids the file configures (empty: a one-county file).
    county: str = ""
    counties: tuple[str, ...] = ()
    is_province: bool = False  # set by ``--province``: the province's own bot
    province: ProvinceConfig = ProvinceConfig()
    telegram: TelegramConfig = TelegramConfig()
    webhook: WebhookConfig = WebhookConfig()
    database: DatabaseConfig = DatabaseConfig()
    general: GeneralConfig = GeneralConfig()
    sender: SenderConfig = SenderConfig()
    binding: BindingConfig = BindingConfig()
    cards: CardsConfig = CardsConfig()
    requests: RequestsConfig = RequestsConfig()
    deadlines: DeadlinesConfig = DeadlinesConfig()
    notices: NoticesConfig = NoticesConfig()
    away: AwayConfig = AwayConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    stays: StaysConfig = StaysConfig()
    rota: RotaConfig = RotaConfig()
    retention: RetentionConfig = RetentionConfig()
    stats: StatsConfig = StatsConfig()
    three_nights: ThreeNightsConfig = ThreeNightsConfig()
    roster: RosterConfig = RosterConfig()

    @model_validator(mode="after")
    def _webhook_needs_address(self) -> Config:
        problem = _webhook_address_problem(self.telegram.mode, self.webhook.public_url)
        if problem:
            raise ValueError(problem)
        return self

    def token(self) -> str:
        """The bot token; raises ConfigError if there is none (only running needs one)."""
        if self.telegram.token is None:
            where = f"counties.{self.county}." if self.county else ""
            variable = f"{TOKEN_ENV}_{self.county.upper()}" if self.county else TOKEN_ENV
            if self.is_province:
                raise ConfigError(
                    [f"province.token: missing; put it in [province] or set {PROVINCE_TOKEN_ENV}"]
                )
            raise ConfigError(
                [f"{where}telegram.token: missing; put it in the file or set {variable}"]
            )
        return self.telegram.token.get_secret_value()


def load_config(
    path: Path | None,
    environ: Mapping[str, str] | None = None,
    county: str | None = None,
    *,
    province: bool = False,
) -> Config:
    """Read ``path`` (None: defaults only) and the environment; raise ConfigError if wrong.

    ``county`` picks one of the file's ``[counties.<id>]``: its tables override the shared
    top-level sections key by key, its schema defaults to ``county_<id>`` and its token may
    come from ``LIANXIN_TOKEN_<ID>``. Without it, a file with counties reads as the shared
    sections alone (what ``lianxin province`` starts from).

    ``province`` is the province's own bot: the shared sections, with the schema
    ``[province] schema`` (``province``), files in ``<folder>/province/`` and the token
    ``[province] token`` or ``LIANXIN_TOKEN_PROVINCE``."""
    env = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    name = str(path) if path else "configuration"
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError([f"{path}: file not found"]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([f"{path}: cannot be read ({exc})"]) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    for key in ("county", "counties"):
        if key in data and not (key == "counties" and isinstance(data[key], dict)):
            raise ConfigError([f"{name}: {key}: a [counties.<id>] table per county, or none"])
    counties = data.pop("counties", {})
    ids = tuple(counties)
    problems = [
        f"{name}: counties.{c}: a county id is lower-case letters, digits and _ (e.g. heping)"
        for c in ids
        if not _COUNTY_ID.match(c) or not isinstance(counties[c], dict)
    ]
    problems += [
        f"{name}: counties.{c}: the name of the province's own bot; pick another id"
        for c in ids
        if c == PROVINCE
    ]
    if problems:
        raise ConfigError(problems)
    if county is not None and province:
        raise ConfigError([f"{name}: --county and --province: one or the other"])
    if county is not None:
        data = _county(data, counties, county, name)
    token_env = TOKEN_ENV if county is None else f"{TOKEN_ENV}_{county.upper()}"
    if province:
        data = _province(data, name, ids)
        token_env = PROVINCE_TOKEN_ENV
    if env.get(token_env):
        telegram = data.get("telegram")
        data["telegram"] = {**(telegram if isinstance(telegram, dict) else {})}
        data["telegram"]["token"] = env[token_env]
    if env.get(DATABASE_URL_ENV):
        database = data.get("database")
        data["database"] = {**(database if isinstance(database, dict) else {})}
        data["database"]["url"] = env[DATABASE_URL_ENV]
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(err) for err in exc.errors()]
        # A wrong field stops pydantic before the cross-field check; report that one too.
        url = _section(data, "webhook").get("public_url", "")
        mode = _section(data, "telegram").get("mode")
        crossed = _webhook_address_problem(mode, url) if isinstance(url, str) else None
        if crossed and crossed not in problems:
            problems.append(crossed)
        where = name if county is None else f"{name} [counties.{county}]"
        raise ConfigError([f"{where}: {problem}" for problem in problems]) from None
    config = config.model_copy(
        update={"county": county or "", "counties": ids, "is_province": province}
    )
    return _anchor(config, path)


def _county(
    data: dict[str, Any], counties: Mapping[str, Any], county: str, name: str
) -> dict[str, Any]:
    """The shared sections with ``[counties.<county>]`` laid over them, key by key."""
    if county not in counties:
        known = ", ".join(counties) if counties else "none (no [counties.<id>] tables)"
        raise ConfigError([f"{name}: --county {county}: not configured; configured: {known}"])
    merged: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    for section, values in counties[county].items():
        if isinstance(values, dict) and isinstance(merged.get(section), dict):
            merged[section] = {**merged[section], **values}
        else:
            merged[section] = values
    own = counties[county].get("database", {})
    database = merged.setdefault("database", {})
    if isinstance(database, dict) and isinstance(own, dict):
        if "schema" not in own:  # never the shared one: each county its own schema
            database["schema"] = f"county_{county}"
        if "path" not in own:
            # A folder per county: SQLite's file (never two counties in one), and the
            # files/ beside it (workbooks, exports), on PostgreSQL too.
            shared = Path(str(database.get("path", DatabaseConfig().path)))
            database["path"] = str(shared.parent / county / shared.name)
    # The shared token would serve two counties' bots at once: each needs its own.
    own_token = counties[county].get("telegram", {})
    if isinstance(merged.get("telegram"), dict) and not (
        isinstance(own_token, dict) and "token" in own_token
    ):
        merged["telegram"] = {k: v for k, v in merged["telegram"].items() if k != "token"}
    return merged


def _province(data: dict[str, Any], name: str, ids: tuple[str, ...]) -> dict[str, Any]:
    """The shared sections as the province's bot reads them: its own schema, folder and
    token (``[province] token``; never the counties' shared one)."""
    if not ids:
        raise ConfigError([f"{name}: --province: no [counties.<id>] tables, no counties to read"])
    merged: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    own = merged.get("province", {})
    own = own if isinstance(own, dict) else {}
    database = merged.setdefault("database", {})
    if isinstance(database, dict):
        database["schema"] = own.get("schema", PROVINCE)
        shared = Path(str(database.get("path", DatabaseConfig().path)))
        database["path"] = str(shared.parent / PROVINCE / shared.name)
    telegram = merged.get("telegram")
    telegram = (
        {k: v for k, v in telegram.items() if k != "token"} if isinstance(telegram, dict) else {}
    )
    if isinstance(own.get("token"), str):
        telegram["token"] = own["token"]
    merged["telegram"] = telegram
    return merged


def _webhook_address_problem(mode: object, public_url: str) -> str | None:
    # Telegram calls https only; plain http is allowed on loopback, for the sandbox.
    if mode == "webhook" and not public_url.startswith(("https://", *_LOOPBACK)):
        return "webhook.public_url: webhook mode needs the https:// address Telegram will call"
    return None


def _section(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = data.get(name)
    return section if isinstance(section, dict) else {}


def _describe(error: Any) -> str:
    key = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
    ).lstrip(".")
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{key}: unknown key (misspelt, or in the wrong [section]?)"
    if kind == "missing":
        return f"{key}: missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{key}: {message}" if key else message


def _anchor(config: Config, path: Path | None) -> Config:
    """A relative database path is relative to the configuration file, not to the shell."""
    db_path = config.database.path
    if path is None or db_path.is_absolute():
        return config
    anchored = config.database.model_copy(update={"path": (path.parent / db_path).resolve()})
    return config.model_copy(update={"database": anchored})
