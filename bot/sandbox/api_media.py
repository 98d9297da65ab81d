"""Bot API methods that send files and places, show chat actions and serve getFile.

A file parameter may be a multipart upload, the ``file_id`` of a stored file,
or an http(s) URL, which the sandbox does not fetch: the URL itself becomes
the file's content, enough for the bot to get a ``file_id`` back.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.files import StoredFile, media_object, photo_sizes
from bot.sandbox.markup import caption, entities
from bot.sandbox.outgoing import compose
from bot.sandbox.params import Params
from bot.sandbox.state import SandboxState

MAX_DOWNLOAD = 20 * 1024 * 1024
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_DEFAULT_MIME = {
    "photo": "image/jpeg",
    "voice": "audio/ogg",
    "video": "video/mp4",
    "audio": "audio/mpeg",
    "sticker": "image/webp",
}


def send_photo(state: SandboxState, p: Params) -> dict[str, Any]:
    return _send_media(state, p, "sendPhoto", "photo")


def send_document(state: SandboxState, p: Params) -> dict[str, Any]:
    return _send_media(state, p, "sendDocument", "document")


def send_voice(state: SandboxState, p: Params) -> dict[str, Any]:
    return _send_media(state, p, "sendVoice", "voice")


def send_video(state: SandboxState, p: Params) -> dict[str, Any]:
    return _send_media(state, p, "sendVideo", "video")


def send_audio(state: SandboxState, p: Params) -> dict[str, Any]:
    return _send_media(state, p, "sendAudio", "audio")


def send_video_note(state: SandboxState, p: Params) -> dict[str, Any]:
    return _send_media(state, p, "sendVideoNote", "video_note")


def _send_media(state: SandboxState, p: Params, method: str, kind: str) -> dict[str, Any]:
    chat = state.chats.reachable(p.chat_id())
    text = caption(p)
    stored = _input_file(state, p, kind)
    content = {kind: _describe(state, kind, stored, p)}
    if text is not None:
        content["caption"] = text
        found = entities(p, "caption_entities")
        if found:
            content["caption_entities"] = found
    return compose(state, method, chat, p, content)


def _input_file(state: SandboxState, p: Params, kind: str) -> StoredFile:
    """The file named by the ``kind`` parameter: an upload, a file_id or a URL."""
    upload = p.upload(kind)
    if upload is not None:
        mime = upload.mime_type
        if mime == "application/octet-stream":
            mime = _DEFAULT_MIME.get(kind) or mime
        return state.files.add(kind, upload.data, mime, upload.file_name)
    value = p.opt_str(kind)
    if not value:
        raise bad_request(f"there is no {kind} in the request")
    if value.startswith("attach://"):
        attached = p.upload(value.removeprefix("attach://"))
        if attached is None:
            raise bad_request(f"there is no {kind} in the request")
        return state.files.add(kind, attached.data, attached.mime_type, attached.file_name)
    if value.startswith(("http://", "https://")):
        name = value.rsplit("/", 1)[-1] or None
        guessed = mimetypes.guess_type(value)[0] or _DEFAULT_MIME.get(kind)
        return state.files.add(kind, value.encode(), guessed, name)
    return _known_file(state, value, kind)


def _known_file(state: SandboxState, file_id: str, kind: str) -> StoredFile:
    stored = state.files.get(file_id)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if (stored.kind == "photo") != (kind == "photo"):
        raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
    return stored


def _describe(state: SandboxState, kind: str, stored: StoredFile, p: Params) -> Any:
    """The Telegram object for the file inside the Message."""
    if kind == "photo":
        return photo_sizes(state.files, stored)
    duration = p.opt_int("duration")
    if kind == "voice":
        return media_object(stored, with_name=False, duration=duration or 0)
    if kind == "video":
        width = p.opt_int("width") or 640
        height = p.opt_int("height") or 360
        return media_object(stored, duration=duration or 0, width=width, height=height)
    if kind == "video_note":
        return media_object(stored, with_name=False, duration=duration or 0, length=240)
    if kind == "audio":
        return media_object(
            stored,
            duration=duration or 0,
            performer=p.opt_str("performer"),
            title=p.opt_str("title"),
        )
    return media_object(stored)


def send_location(state: SandboxState, p: Params) -> dict[str, Any]:
    chat = state.chats.reachable(p.chat_id())
    latitude, longitude = p.float_("latitude"), p.float_("longitude")
    if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
        raise bad_request("wrong location specified")
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    for name in ("horizontal_accuracy", "live_period", "heading"):
        value = p.opt_float(name)
        if value is not None:
            location[name] = value
    return compose(state, "sendLocation", chat, p, {"location": location})


def send_contact(state: SandboxState, p: Params) -> dict[str, Any]:
    chat = state.chats.reachable(p.chat_id())
    phone, first_name = p.opt_str("phone_number"), p.opt_str("first_name")
    if not phone or not first_name:
        raise bad_request("contact's phone number and first name must be non-empty")
    contact: dict[str, Any] = {"phone_number": phone, "first_name": first_name}
    last_name = p.opt_str("last_name")
    if last_name:
        contact["last_name"] = last_name
    return compose(state, "sendContact", chat, p, {"contact": contact})


def send_chat_action(state: SandboxState, p: Params) -> bool:
    chat = state.chats.reachable(p.chat_id())
    action = p.opt_str("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(action)
    state.notifier.notify()
    return True


def get_file(state: SandboxState, p: Params) -> dict[str, Any]:
    stored = state.files.get(p.str_("file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return {**stored.ids(), "file_path": stored.file_path}
