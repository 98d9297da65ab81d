"""Reading Bot API parameters the way Telegram does.

python-telegram-bot sends every parameter as a string: form-urlencoded
without files, multipart with them, numbers as ``"123"``, booleans as
``"true"`` and objects (``reply_markup``, ``entities``, ``scope``...) as JSON
text (see ``telegram/request/_requestparameter.py``). Other clients send a
JSON body with native values. :class:`Params` hides the difference so method
handlers ask for ``p.int_("chat_id")`` and get an ``int`` either way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.sandbox.errors import bad_request

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


@dataclass(frozen=True)
class Upload:
    """A file sent as a multipart part."""

    file_name: str
    mime_type: str
    data: bytes


class Params:
    """The parameters of one Bot API call, with typed, Telegram-like coercion."""

    def __init__(self, fields: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self._fields = fields
        self._uploads = uploads or {}

    def has(self, name: str) -> bool:
        """Whether the caller sent ``name`` (as a value or as an uploaded file)."""
        return name in self._fields or name in self._uploads

    def upload(self, name: str) -> Upload | None:
        """The multipart file sent under ``name``, if any."""
        return self._uploads.get(name)

    def opt_str(self, name: str) -> str | None:
        value = self._fields.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        return json.dumps(value)

    def str_(self, name: str) -> str:
        value = self.opt_str(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def opt_int(self, name: str) -> int | None:
        value = self._fields.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value))
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def int_(self, name: str) -> int:
        value = self.opt_int(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def opt_float(self, name: str) -> float | None:
        value = self._fields.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def float_(self, name: str) -> float:
        value = self.opt_float(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def bool_(self, name: str, default: bool = False) -> bool:
        value = self._fields.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise bad_request(f"invalid {name} specified")

    def json_(self, name: str) -> Any:
        """A JSON-typed parameter, decoded if it came as text; ``None`` when absent."""
        value = self._fields.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def opt_dict(self, name: str) -> dict[str, Any] | None:
        value = self.json_(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_request(f"can't parse {name} JSON object")
        return value

    def opt_list(self, name: str) -> list[Any] | None:
        value = self.json_(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise bad_request(f"can't parse {name} JSON object")
        return value

    def chat_id(self, name: str = "chat_id") -> int:
        """A chat id; ``@username`` never names a private chat, so it is simply not found."""
        value = self._fields.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None


async def read_params(request: web.Request) -> Params:
    """Collect the query string and the body (JSON, form or multipart) into :class:`Params`."""
    fields: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json":
        fields.update(await _read_json(request))
        return Params(fields, uploads)
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            uploads[name] = _read_upload(value)
        elif isinstance(value, bytes | bytearray):
            fields[name] = bytes(value).decode("utf-8", "replace")
        else:
            fields[name] = value
    return Params(fields, uploads)


async def _read_json(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise bad_request("can't parse JSON object") from None
    if not isinstance(body, dict):
        raise bad_request("can't parse JSON object")
    return body


def _read_upload(field: web.FileField) -> Upload:
    """Read the spooled part into memory and close it (no temp file outlives the call)."""
    try:
        data = field.file.read()
    finally:
        field.file.close()
    return Upload(file_name=field.filename, mime_type=field.content_type, data=data)
