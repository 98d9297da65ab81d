"""What both sides of a request share at the edge: a message as the domain keeps it, and
the due times from configuration."""

from __future__ import annotations

from telegram import Message

from bot.domain.requests import Content, Deadlines
from handlers.context import Unit

from .paging import clean


def content_of(message: Message) -> Content:
    """What the person sent: the words (or caption), the file (the largest photo size),
    the place, or the shared contact."""
    # Bidi overrides and control characters would let words pass for the card's fields.
    text = clean(message.text or message.caption or "")
    kind, file_id = _media(message) or (None, None)
    place = message.location
    return Content(
        text=text,
        media=kind,
        file_id=file_id,
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        contact=_contact(message),
    )


def replied_to(message: Message) -> int | None:
    """The bot's message this one is a swipe-reply to (Telegram's "reply"), if any: the
    use case asks which request it was about."""
    quoted = message.reply_to_message
    if quoted is None or quoted.from_user is None or not quoted.from_user.is_bot:
        return None
    return quoted.message_id


def _media(message: Message) -> tuple[str, str] | None:
    """The file's kind and Telegram file id (a photo's largest size)."""
    if message.photo:
        return ("photo", message.photo[-1].file_id)
    for kind in ("voice", "audio", "video", "video_note", "document"):
        found = getattr(message, kind)
        if found is not None:
            return (kind, found.file_id)
    return None


def _contact(message: Message) -> str | None:
    """A shared contact's name and phone."""
    contact = message.contact
    if contact is None:
        return None
    name = " ".join(filter(None, (contact.first_name, contact.last_name)))
    return f"{name} {contact.phone_number}"


def deadlines(unit: Unit) -> Deadlines:
    return unit.setup.config.deadlines.table()
