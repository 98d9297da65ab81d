"""Configuration: a TOML file (and LIANXIN_TOKEN) read into typed models.

Every problem is reported at once, one line each, naming the key; the token never
appears in a message.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.durations import parse_duration

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
TOKEN_ENV = "LIANXIN_TOKEN"  # noqa: S105 - the name of a variable, not a secret
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_LOOPBACK = ("http://127.0.0.1:", "http://localhost:")


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
    secret_token: SecretStr | None = None

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f'"{value}" must start with /')
        return value


class DatabaseConfig(_Section):
    path: Path = Path("lianxin.db")


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
    # Due times until issue 5 sets them per category: the first answer, and the solution.
    respond_within: Duration = timedelta(hours=24)
    resolve_within: Duration = timedelta(days=7)
    urgent_within: Duration = timedelta(hours=2)
    # A resolved request the villager neither confirms nor reopens closes after this,
    # marked "confirmed by timeout" (never counted as satisfied).
    confirm_within: Duration = timedelta(days=7)
    # A villager's messages join their open request while it was active this recently;
    # after that a message starts a new request.
    conversation_idle: Duration = timedelta(hours=12)
    # How often the bot looks for requests due to close (or, later, to escalate).
    sweep_every: Duration = timedelta(minutes=1)

    @field_validator("sweep_every")
    @classmethod
    def _not_too_often(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=1):
            raise ValueError("must be at least 1s")
        return value


class CardsConfig(_Section):
    # The bot's @username (without @), for the deep link printed on contact cards.
    bot_username: str = ""
    # A Chinese font file (.ttf, .otf or .ttc: its first font) to embed in card PDFs;
    # None: the packaged Noto Sans SC, else a well-known system font (bot/cards.py).
    font: Path | None = None

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


class Config(_Section):
    telegram: TelegramConfig = TelegramConfig()
    webhook: WebhookConfig = WebhookConfig()
    database: DatabaseConfig = DatabaseConfig()
    general: GeneralConfig = GeneralConfig()
    sender: SenderConfig = SenderConfig()
    binding: BindingConfig = BindingConfig()
    cards: CardsConfig = CardsConfig()
    requests: RequestsConfig = RequestsConfig()

    @model_validator(mode="after")
    def _webhook_needs_address(self) -> Config:
        problem = _webhook_address_problem(self.telegram.mode, self.webhook.public_url)
        if problem:
            raise ValueError(problem)
        return self

    def token(self) -> str:
        """The bot token; raises ConfigError if there is none (only running needs one)."""
        if self.telegram.token is None:
            raise ConfigError([f"telegram.token: missing; put it in the file or set {TOKEN_ENV}"])
        return self.telegram.token.get_secret_value()


def load_config(path: Path | None, environ: Mapping[str, str] | None = None) -> Config:
    """Read ``path`` (None: defaults only) and the environment; raise ConfigError if wrong."""
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
    if env.get(TOKEN_ENV):
        telegram = data.get("telegram")
        data["telegram"] = {**(telegram if isinstance(telegram, dict) else {})}
        data["telegram"]["token"] = env[TOKEN_ENV]
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
        raise ConfigError([f"{name}: {problem}" for problem in problems]) from None
    return _anchor(config, path)


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
    anchored = DatabaseConfig(path=(path.parent / db_path).resolve())
    return config.model_copy(update={"database": anchored})
