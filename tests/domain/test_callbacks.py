"""Button data is forged at will: ids and dates are read strictly, in one place."""

from __future__ import annotations

import pytest

from bot import callbacks


@pytest.mark.parametrize(
    "data",
    [
        "rq:ack:" + "9" * 57,  # too big for SQLite: OverflowError before
        "rq:ack:²",  # str.isdigit() says yes, int() says no: ValueError before
        "rq:ack:１２",  # full-width digits
        "rq:ack:-1",
        "rq:ack:",
        "rq:ack: 12",
        "rq:ack",
        None,
        "",
    ],
)
def test_a_forged_request_button_is_not_a_request(data: str | None) -> None:
    assert callbacks.request_press(data) is None


def test_a_request_button_reads_its_id_and_argument() -> None:
    pressed = callbacks.request_press("rq:handto:42:K007")
    assert pressed == callbacks.RequestPress("rq", "handto", 42, "K007")
    assert callbacks.request_press("rv:ok:" + "9" * 12) is not None
