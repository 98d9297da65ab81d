"""A reminder broadcast must not delay an answer to a villager.

1,000 bulk messages sit in the outbox while the sandbox enforces 30 messages a second;
a villager's messages, sent while the broadcast runs, are answered within 2 seconds.
"""

from __future__ import annotations

import time
from pathlib import Path

from bot.calls import Call, Priority
from bot.sandbox.server import Sandbox
from storage import outbox
from tests.conftest import START
from tests.e2e.conftest import StartBot
from tests.e2e.harness import database_of, grows

BULK = 1000
SAMPLES = 5
LIMIT_SECONDS = 2.0


def bulk_sent(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.sent if str(r.message.get("text", "")).startswith("提醒"))


async def test_bulk_backlog_does_not_delay_interactive_replies(
    sandbox: Sandbox, start_bot: StartBot, tmp_path: Path
) -> None:
    bot = await start_bot()
    villager = sandbox.user(1001, "王秀英")
    await villager.start()
    await villager.wait_for_text("王秀英")  # the bot is up
    recipients = [sandbox.user(50_000 + i, f"干部{i}") for i in range(BULK)]

    calls = [
        Call(r.user_id, "sendMessage", {"chat_id": r.user_id, "text": f"提醒 {i}"}, Priority.BULK)
        for i, r in enumerate(recipients)
    ]
    async with database_of(bot.config) as db, db.transaction() as tx:
        await outbox.enqueue(tx, calls, START)
    await sandbox.wait_until(lambda: bulk_sent(sandbox) >= 100, timeout=60)

    delays = []
    for n in range(SAMPLES):
        answered = grows(lambda: len(villager.messages()))
        sent_at = time.monotonic()
        await villager.send_text(f"第{n}次：路灯还是不亮")
        await sandbox.wait_until(answered, timeout=30)
        answered_at = next(r.at for r in reversed(sandbox.sent) if r.chat_id == villager.user_id)
        delays.append(answered_at - sent_at)
    in_progress = bulk_sent(sandbox)

    broadcast_started = min(r.at for r in sandbox.sent if r.chat_id >= 50_000)
    await sandbox.wait_until(lambda: bulk_sent(sandbox) == BULK, timeout=120)
    duration = max(r.at for r in sandbox.sent if r.chat_id >= 50_000) - broadcast_started
    print(
        f"\npriority: replies during a {BULK}-message broadcast took "
        f"{', '.join(f'{d:.2f}s' for d in delays)}; broadcast {duration:.1f}s "
        f"(30/s minimum {BULK / 30:.1f}s); 429s {sandbox.stats.too_many_requests}"
    )
    assert in_progress < BULK, "the broadcast should still have been running"
    assert max(delays) <= LIMIT_SECONDS
    recipients_reached = {r.chat_id for r in sandbox.sent if r.chat_id >= 50_000}
    assert len(recipients_reached) == BULK  # every reminder went out
    assert bulk_sent(sandbox) == BULK  # and none twice
