"""The roster sent in Telegram (bot.services.roster_upload), over fakes: only an
administrator's roster files are taken; the sender's own press, once and in time, imports
or cancels; anything else is refused and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.callbacks import LIMIT, Callback
from bot.domain.roster_uploads import Upload
from bot.services import roster_upload as service
from bot.services.roster_upload import Offered, Stale
from tests.services.fakes_roster_upload import ADMIN, OTHER_ADMIN, VILLAGER, FakeDesk, FakeWork

ROSTER = Offered("document", "file-1", "东坪镇名册.xlsx", 50_000)


async def checked(work: FakeWork, desk: FakeDesk) -> Upload:
    upload = await service.receive(work, ADMIN, ROSTER)
    result = await service.check(desk, upload)
    assert result.verdict is not None
    return result.upload


@pytest.fixture
def work() -> FakeWork:
    return FakeWork()


@pytest.fixture
def desk(work: FakeWork) -> FakeDesk:
    return FakeDesk(work.uploads)


async def test_only_an_administrators_roster_file_is_taken(work: FakeWork) -> None:
    with pytest.raises(service.NotAdmin):
        await service.receive(work, VILLAGER, ROSTER)
    for offered in (
        Offered("photo", "p", "", 30_000),
        Offered("document", "d", "通知.docx", 30_000),
        Offered("document", "d", "名册", 30_000),
    ):
        with pytest.raises(service.NotRoster):
            await service.receive(work, ADMIN, offered)
    too_big = Offered("document", "d", "名册.xlsx", 20 * 1024 * 1024 + 1)
    with pytest.raises(service.TooLarge):
        await service.receive(work, ADMIN, too_big)
    assert work.uploads.rows == {}
    zipped = await service.receive(work, ADMIN, Offered("document", "z", "名册.ZIP", None))
    assert zipped.suffix == "zip"


async def test_a_checked_roster_waits_and_its_token_fits_the_buttons(
    work: FakeWork, desk: FakeDesk
) -> None:
    upload = await checked(work, desk)
    assert work.uploads.rows[upload.token].state == service.READY
    assert desk.files == {desk.place(upload)}
    assert desk.runs == [(False, True)]  # a dry run, without pruning
    longest = Callback("ru", service.PRUNE_IMPORT, upload.token).encode()
    assert len(longest.encode()) <= LIMIT


async def test_a_roster_with_problems_or_not_downloaded_is_deleted_at_once(
    work: FakeWork, desk: FakeDesk
) -> None:
    desk.clean = False
    upload = await checked(work, desk)
    assert desk.files == set()
    assert work.uploads.rows[upload.token].state == service.REFUSED
    with pytest.raises(Stale):
        await service.press(work, ADMIN, upload.token, service.IMPORT)
    desk.clean, desk.telegram_gives = True, False  # over 20 MB after all, or gone
    lost = await service.receive(work, ADMIN, ROSTER)
    result = await service.check(desk, lost)
    assert result.verdict is None
    assert work.uploads.rows[lost.token].state == service.REFUSED


async def test_import_runs_once_and_deletes_the_file(work: FakeWork, desk: FakeDesk) -> None:
    upload = await checked(work, desk)
    pressed = await service.press(work, ADMIN, upload.token, service.IMPORT)
    verdict = await service.apply(desk, pressed)
    assert verdict.clean
    assert desk.runs[-1] == (False, False)
    assert desk.files == set()
    assert work.uploads.rows[upload.token].state == service.DONE
    with pytest.raises(Stale) as again:
        await service.press(work, ADMIN, upload.token, service.IMPORT)
    assert again.value.state == service.DONE
    assert desk.runs.count((False, False)) == 1


async def test_two_presses_at_once_import_once(work: FakeWork, desk: FakeDesk) -> None:
    upload = await checked(work, desk)
    work.uploads.stale_reads = True  # both presses read the upload as ready
    await work.uploads.get(upload.token)
    first = await service.press(work, ADMIN, upload.token, service.IMPORT)
    with pytest.raises(Stale):
        await service.press(work, ADMIN, upload.token, service.PRUNE_IMPORT)
    assert first.action == service.IMPORT
    assert work.uploads.rows[upload.token].state == service.IMPORTING


async def test_forged_presses_are_refused_and_change_nothing(
    work: FakeWork, desk: FakeDesk
) -> None:
    upload = await checked(work, desk)
    for who, token, action in (
        (OTHER_ADMIN, upload.token, service.IMPORT),  # another administrator's chat
        (VILLAGER, upload.token, service.IMPORT),
        (ADMIN, "made-up-token", service.IMPORT),
        (ADMIN, upload.token, "delete-everything"),
        (ADMIN, "", ""),
    ):
        with pytest.raises(Stale) as refused:
            await service.press(work, who, token, action)
        if who is not ADMIN:
            assert refused.value.state is None  # tells a stranger nothing
    assert work.uploads.rows[upload.token].state == service.READY
    assert desk.files == {desk.place(upload)}
    assert desk.runs == [(False, True)]


async def test_a_late_press_expires_the_upload_and_its_file(
    work: FakeWork, desk: FakeDesk
) -> None:
    upload = await checked(work, desk)
    work.now += service.TTL + timedelta(seconds=1)
    pressed = await service.press(work, ADMIN, upload.token, service.IMPORT)
    assert pressed.action == service.EXPIRED
    service.forget(desk, pressed.upload)
    assert desk.files == set()
    assert work.uploads.rows[upload.token].state == service.EXPIRED
    assert desk.runs == [(False, True)]  # never imported
    with pytest.raises(Stale) as again:
        await service.press(work, ADMIN, upload.token, service.IMPORT)
    assert again.value.state == service.EXPIRED


async def test_cancel_deletes_the_file_and_imports_nothing(work: FakeWork, desk: FakeDesk) -> None:
    upload = await checked(work, desk)
    pressed = await service.press(work, ADMIN, upload.token, service.CANCEL)
    service.forget(desk, pressed.upload)
    assert desk.files == set()
    assert work.uploads.rows[upload.token].state == service.CANCELLED
    with pytest.raises(Stale):
        await service.press(work, ADMIN, upload.token, service.IMPORT)
    assert desk.runs == [(False, True)]


async def test_pruning_is_shown_first_then_confirmed(work: FakeWork, desk: FakeDesk) -> None:
    upload = await checked(work, desk)
    asked = await service.press(work, ADMIN, upload.token, service.PRUNE)
    assert asked.action == service.PRUNE
    assert work.uploads.rows[upload.token].state == service.READY  # nothing moved yet
    preview = await service.preview_prune(desk, upload)
    assert preview.prune
    assert desk.runs[-1] == (True, True)  # a dry run with pruning
    confirmed = await service.press(work, ADMIN, upload.token, service.PRUNE_IMPORT)
    assert confirmed.prune
    await service.apply(desk, confirmed)
    assert desk.runs[-1] == (True, False)
