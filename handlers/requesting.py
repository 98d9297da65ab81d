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
    media: tuple[str, str] | None = None
    if message.photo:
        media = ("photo", message.photo[-1].file_id)
    else:
        for kind in ("voice", "audio", "video", "video_note", "document"):
            found = getattr(message, kind)
            if found is not None:
                media = (kind, found.file_id)
                break
    place = message.location
    contact = message.contact
    return Content(
        text=text,
        media=media[0] if media else None,
        file_id=media[1] if media else None,
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        contact=(
            f"{' '.join(filter(None, (contact.first_name, contact.last_name)))} "
            f"{contact.phone_number}"
            if contact
            else None
        ),
    )


def deadlines(unit: Unit) -> Deadlines:
    return unit.setup.config.deadlines.table()
