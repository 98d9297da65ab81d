"""The cards' QR codes (bot.qr): segno's matrix as runs of dark modules, which a reader
decodes back to the card's link; encoded in worker processes for a big run, in order."""

from __future__ import annotations

import segno
import zxingcpp
from PIL import Image

from bot import cards
from bot.domain.codes import deep_link, new_code
from bot.qr import QR_MASK, qr_path, qr_runs

SCALE, QUIET = 8, 4


def image_of(link: str) -> Image.Image:
    """The runs painted as a phone would see the printed modules (with a quiet zone)."""
    count, runs = qr_runs(link)
    side = (count + 2 * QUIET) * SCALE
    image = Image.new("L", (side, side), 255)
    for row, column, length in runs:
        box = (
            (QUIET + column) * SCALE,
            (QUIET + row) * SCALE,
            (QUIET + column + length) * SCALE,
            (QUIET + row + 1) * SCALE,
        )
        image.paste(0, box)
    return image


def test_the_runs_are_segnos_matrix_and_decode_to_the_link() -> None:
    for _ in range(20):
        link = deep_link("lianxin_bot", new_code())
        count, runs = qr_runs(link)
        matrix = [[0] * count for _ in range(count)]
        for row, column, length in runs:
            for c in range(column, column + length):
                matrix[row][c] = 1
        expected = segno.make(link, error="m", micro=False, mask=QR_MASK).matrix
        assert matrix == [list(row) for row in expected]
        [found] = zxingcpp.read_barcodes(image_of(link))
        assert found.text == link


def test_a_big_run_encodes_in_workers_in_the_cards_order() -> None:
    links = [deep_link("lianxin_bot", new_code()) for _ in range(cards.PARALLEL_FROM + 50)]
    assert list(cards._qr_paths(links, 2)) == [qr_path(link) for link in links]
