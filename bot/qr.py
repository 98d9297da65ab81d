"""A card's QR code as PDF path operators, from segno's matrix.

Kept apart from ``bot.cards`` (reportlab, fontTools) so that the worker processes that
encode a big print run's codes import only segno and start at once.
"""

from __future__ import annotations

import segno

QR_MASK = 0  # see qr_runs


def qr_runs(link: str) -> tuple[int, list[tuple[int, int, int]]]:
    """``link`` as a QR code (error correction M, as before): its size in modules and its
    dark modules as runs ``(row, first column, length)``, row 0 at the top.

    The mask is fixed (``QR_MASK``) rather than chosen by scoring all eight: the scoring
    is 80 % of segno's time (6 ms a code), and a reader decodes any mask; the tests scan
    the printed codes back."""
    matrix = segno.make(link, error="m", micro=False, mask=QR_MASK).matrix
    runs = []
    for row, modules in enumerate(matrix):
        column, count = 0, len(modules)
        while column < count:
            if modules[column]:
                start = column
                while column < count and modules[column]:
                    column += 1
                runs.append((row, start, column - start))
            else:
                column += 1
    return len(matrix), runs


def qr_path(link: str) -> tuple[int, str]:
    """The QR of ``link`` as PDF path operators in module units (whole numbers: quick to
    write, small in the file), with its size in modules. Pure: worker processes run it."""
    count, runs = qr_runs(link)
    rects = " ".join(f"{column} {-row - 1} {length} 1 re" for row, column, length in runs)
    return count, f"n {rects} f"
