"""Uploads, getFile and downloads, both ways."""

from __future__ import annotations

from telegram import Bot

from bot.sandbox import Sandbox
from bot.sandbox.files import TINY_PNG


async def test_an_uploaded_photo_can_be_downloaded(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    sent = await bot.send_photo(1001, TINY_PNG, caption="统计图")
    assert len(sent.photo) == 2
    largest = sent.photo[-1]
    assert (largest.width, largest.height) == (1, 1)
    file = await bot.get_file(largest.file_id)
    assert file.file_size == len(TINY_PNG)
    assert file.file_path is not None
    assert file.file_path.endswith(".jpg")
    assert bytes(await file.download_as_bytearray()) == TINY_PNG
    assert user.last()["caption"] == "统计图"


async def test_a_file_id_can_be_sent_again(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.user(1001, "王大爷")
    sandbox.user(1002, "张大妈")
    first = await bot.send_photo(1001, TINY_PNG)
    again = await bot.send_photo(1002, first.photo[-1].file_id)
    assert again.photo == first.photo


async def test_documents_keep_name_and_type(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.user(1001, "王大爷")
    sent = await bot.send_document(1001, b"a,b\n1,2\n", filename="stats.csv")
    assert sent.document is not None
    assert (sent.document.file_name, sent.document.mime_type) == ("stats.csv", "text/csv")
    file = await sent.document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"


async def test_a_url_is_accepted_as_the_file(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.user(1001, "王大爷")
    sent = await bot.send_photo(1001, "https://example.org/card.png")
    assert sent.photo


async def test_a_users_voice_note_can_be_downloaded(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    await user.send_voice(b"OggS-voice-bytes", duration=7)
    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.voice is not None
    voice = update.message.voice
    assert voice.mime_type == "audio/ogg"
    file = await voice.get_file()
    assert bytes(await file.download_as_bytearray()) == b"OggS-voice-bytes"


async def test_a_users_photo_and_document(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    await user.send_photo(caption="墙裂了")
    await user.send_document(b"%PDF-1.4", "证明.pdf", "application/pdf")
    photo_update, document_update = await bot.get_updates()
    photo = photo_update.message
    assert photo is not None
    assert photo.caption == "墙裂了"
    assert len(photo.photo) == 2
    download = await (await photo.photo[-1].get_file()).download_as_bytearray()
    assert bytes(download) == TINY_PNG
    document = document_update.message
    assert document is not None
    assert document.document is not None
    assert document.document.file_name == "证明.pdf"


async def test_contacts_and_video_notes_are_relayed(bot: Bot, sandbox: Sandbox) -> None:
    """The bot relays what villagers send: a shared contact, a round video note."""
    user = sandbox.user(1001, "王大爷")
    contact = await bot.send_contact(1001, phone_number="13908710007", first_name="郑小红")
    assert contact.contact is not None
    assert contact.contact.phone_number == "13908710007"
    assert user.last()["contact"]["first_name"] == "郑小红"
    note = await bot.send_video_note(1001, b"\x00\x00\x00\x18ftypmp42")
    assert note.video_note is not None
    again = await bot.send_video_note(1001, note.video_note.file_id)
    assert again.video_note is not None
    assert again.video_note.file_id == note.video_note.file_id
