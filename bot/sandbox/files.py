"""Files kept in memory: uploads by the bot and by the sandbox's users.

A file gets a ``file_id`` (reusable in later sends, like Telegram's) and a
``file_path`` under which ``GET /file/bot<token>/<file_path>`` serves the
bytes, so PTB's ``File.download_to_memory`` works unchanged. The helpers here
also build the Telegram objects (PhotoSize, Document, Voice...) that describe
a stored file inside a Message.
"""

from __future__ import annotations

import mimetypes
import secrets
import struct
import zlib
from dataclasses import dataclass
from typing import Any

# Telegram's own directory names, as seen in real getFile answers.
_DIRECTORY = {
    "photo": "photos",
    "document": "documents",
    "voice": "voice",
    "video": "videos",
    "audio": "music",
    "sticker": "stickers",
}
# Telegram re-encodes these, whatever the upload was called.
_FIXED_EXT = {"photo": ".jpg", "voice": ".oga", "sticker": ".webp"}
_DEFAULT_EXT = {"video": ".mp4", "audio": ".mp3"}
_ID_PREFIX = {"photo": "AgAC", "voice": "AwAC", "video": "BAAC", "audio": "CQAC"}
THUMB_SIDE = 90
DEFAULT_SIZE = (800, 600)


@dataclass(frozen=True)
class StoredFile:
    """One file as Telegram keeps it."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    mime_type: str
    file_name: str | None
    file_path: str

    def ids(self) -> dict[str, Any]:
        """The identifying fields every Telegram file object starts with."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }


class FileStore:
    """All files of one sandbox, by ``file_id`` and by ``file_path``."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self.photo_sets: dict[str, list[dict[str, Any]]] = {}
        self._count = 0

    def add(
        self, kind: str, data: bytes, mime_type: str | None = None, file_name: str | None = None
    ) -> StoredFile:
        self._count += 1
        n = self._count
        mime = mime_type or _guess_mime(file_name) or "application/octet-stream"
        prefix = _ID_PREFIX.get(kind, "BQAC")
        stored = StoredFile(
            file_id=f"{prefix}{n:06d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AQAD{n:06d}",
            kind=kind,
            data=data,
            mime_type=mime,
            file_name=file_name,
            file_path=_file_path(kind, n, mime, file_name),
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)


def photo_sizes(store: FileStore, original: StoredFile) -> list[dict[str, Any]]:
    """A thumbnail and the full size, as Telegram answers for any photo.

    The sandbox does not resize: the thumbnail holds the original bytes, but it
    is a distinct file with its own id, as on Telegram. Sending a photo again
    by either file_id gives back the same pair.
    """
    known = store.photo_sets.get(original.file_id)
    if known is not None:
        return [dict(size) for size in known]
    width, height = image_size(original.data)
    scale = min(1.0, THUMB_SIDE / max(width, height))
    thumb = store.add("photo", original.data, original.mime_type)
    sizes = [
        {
            **thumb.ids(),
            "width": max(1, round(width * scale)),
            "height": max(1, round(height * scale)),
        },
        {**original.ids(), "width": width, "height": height},
    ]
    store.photo_sets[thumb.file_id] = sizes
    store.photo_sets[original.file_id] = sizes
    return [dict(size) for size in sizes]


def media_object(stored: StoredFile, *, with_name: bool = True, **extra: Any) -> dict[str, Any]:
    """A Document/Voice/Video/Audio object: ids, file name, mime type, plus ``extra``."""
    obj = stored.ids()
    if with_name and stored.file_name:
        obj["file_name"] = stored.file_name
    obj["mime_type"] = stored.mime_type
    obj.update({key: value for key, value in extra.items() if value is not None})
    return obj


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG; a plausible default for anything else."""
    size = _sniff_size(data)
    if size is None or min(size) <= 0:
        return DEFAULT_SIZE
    return size


def _sniff_size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        length = int.from_bytes(data[index + 2 : index + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + length
    return None


def tiny_png() -> bytes:
    """A valid 1x1 PNG, the default photo a sandbox user sends."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(tag + body)
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x2e\x8b\x57")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


TINY_PNG = tiny_png()
# Enough of an Ogg/Opus page header to look like a voice note to sniffing code.
TINY_OGG = (
    b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"
)
TINY_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(8)


def _guess_mime(file_name: str | None) -> str | None:
    if not file_name:
        return None
    return mimetypes.guess_type(file_name)[0]


def _file_path(kind: str, n: int, mime_type: str, file_name: str | None) -> str:
    directory = _DIRECTORY.get(kind, "documents")
    return f"{directory}/file_{n}{_extension(kind, mime_type, file_name)}"


def _extension(kind: str, mime_type: str, file_name: str | None) -> str:
    if kind in _FIXED_EXT:
        return _FIXED_EXT[kind]
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1].lower()
    return mimetypes.guess_extension(mime_type) or _DEFAULT_EXT.get(kind, "")
