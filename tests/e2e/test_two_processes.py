"""Two ``lianxin run`` processes share one bot on one PostgreSQL database while either is
SIGKILLed at random, five times, during a stream of messages: none lost, each update
handled once, each chat's answers in order, and few sent twice.

As in test_crash.py, the bot answers every message of a villager it does not know with
a reply quoting it, and counts every update it handles per account. One process polls
(the receiver lease), both handle and send (inbox and outbox rows leased per chat), and
a killed process's rows are taken by the other once their leases end. A reply goes out
twice only when its sender died between Telegram's answer and the commit that marks it
sent: those are counted and printed.

The count of messages is $LIANXIN_TWO_PROCESSES_MESSAGES (2,000 by default, the issue's
figure); the seed is printed.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

from bot.config import SenderConfig
from bot.sandbox.server import Sandbox
from storage import inbox, outbox
from tests.conftest import pg_database
from tests.e2e.harness import RUNNING, BotProcess, agreeing, write_config
from tests.pg_cluster import Cluster

MESSAGES = int(os.environ.get("LIANXIN_TWO_PROCESSES_MESSAGES", "2000"))
USERS = 100
SEED = 20261130
KILLS = 5
# Short leases: a killed process's chats wait this long before the other takes them.
HANDLED_BY = "SELECT leased_by, count(*) FROM inbox GROUP BY leased_by"
SENT_BY = "SELECT leased_by, count(*) FROM outbox GROUP BY leased_by"
LEASES = 'lease = "20s"\nreceiver_lease = "6s"\n'


def configure(tmp_path: Path, sandbox: Sandbox, url: str) -> Path:
    path = write_config(tmp_path, sandbox, database_url=url)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f'url = "{url}"\n', f'url = "{url}"\n{LEASES}'), "utf-8")
    return path


async def test_two_processes_share_one_bot_through_five_kills(
    sandbox: Sandbox, tmp_path: Path, pg_cluster: Cluster, pg_template: str
) -> None:
    rng = random.Random(SEED)
    print(f"\ntwo processes: seed {SEED}, {MESSAGES} messages")
    per_user = max(1, MESSAGES // USERS)
    async with pg_database(pg_cluster, pg_template) as db:
        config = configure(tmp_path, sandbox, db.url)
        clock = agreeing(sandbox)
        bots = [BotProcess(config, tmp_path / f"bot{n}.log", clock) for n in (1, 2)]
        people = [sandbox.user(100_000 + i, f"村民{i}") for i in range(USERS)]
        sent_ids: list[tuple[int, int]] = []

        async def stream() -> None:
            for round_ in range(per_user):
                for person in people:
                    message = await person.send_text(f"第{round_}条消息，来自{person.user_id}")
                    sent_ids.append((person.user_id, message["message_id"]))
                await asyncio.sleep(rng.uniform(0.3, 1.2))  # pacing the load

        def replies_in_order() -> dict[int, list[int]]:
            """Each chat's quoted message ids, in the order the replies arrived."""
            chats: dict[int, list[int]] = defaultdict(list)
            for record in sandbox.sent:
                quoted = record.message.get("reply_to_message")
                if record.method == "sendMessage" and quoted:
                    chats[record.chat_id].append(quoted["message_id"])
            return chats

        def answered() -> Counter[tuple[int, int]]:
            return Counter(
                (chat, quoted) for chat, ids in replies_in_order().items() for quoted in ids
            )

        started = time.monotonic()
        for bot in bots:
            await bot.start()
        await asyncio.gather(*(running(bot) for bot in bots))
        streamer = asyncio.create_task(stream())
        killed: list[int] = []
        try:
            for _ in range(KILLS):
                # A random moment while messages arrive and answers go out.
                await asyncio.sleep(rng.uniform(1.0, 1.0 + 60.0 * MESSAGES / 2000 / KILLS))
                victim = rng.randrange(len(bots))
                await bots[victim].kill()
                killed.append(victim + 1)
                await bots[victim].start()
                await running(bots[victim])
            await streamer
            await sandbox.wait_until(lambda: len(answered()) == len(sent_ids), timeout=900)
        finally:
            streamer.cancel()
            codes = [await bot.stop() for bot in bots]
        elapsed = time.monotonic() - started

        replies = answered()
        duplicates = sum(n - 1 for n in replies.values())
        async with db.read() as tx:
            handled = {
                r[0]: r[1] for r in await tx.fetchall("SELECT user_id, updates_seen FROM accounts")
            }
            seen = await inbox.counts(tx)
            queued = await outbox.counts(tx)
            # Which process (each start is one) handled each update and sent each call.
            handlers = await tx.fetchall(HANDLED_BY)
            senders = await tx.fetchall(SENT_BY)
    print(
        f"two processes: {len(sent_ids)} messages, SIGKILLs of process {killed}, "
        f"{elapsed:.0f}s; replies {sum(replies.values())}, sent twice {duplicates}; "
        f"updates handled per process start {sorted(r[1] for r in handlers)}, "
        f"calls sent per process start {sorted(r[1] for r in senders)}"
    )
    assert codes == [0, 0], [bot.log_text()[-3000:] for bot in bots]
    assert len(sent_ids) == USERS * per_user
    assert set(replies) == set(sent_ids)  # every message answered: none lost
    assert handled == {p.user_id: per_user for p in people}  # each update handled once
    assert seen == {"done": USERS * per_user}
    assert {status for status, _ in queued} == {"sent"}
    # Which process handles and sends what depends on timing (in polling mode the one
    # holding the receiver lease claims most updates first; seen: one start handled them
    # all in a CI run on a loaded machine), so the split is printed above, not asserted.
    for chat, quoted in replies_in_order().items():  # order kept within each chat
        firsts = list(dict.fromkeys(quoted))
        assert firsts == sorted(firsts), f"chat {chat} answered out of order: {quoted}"
    # Only a death between Telegram's answer and the mark sends twice: at most the
    # calls in flight in the killed process at each kill.
    assert duplicates <= KILLS * SenderConfig().concurrency


async def running(bot: BotProcess) -> None:
    """Wait (two minutes at most) until this start of ``bot`` says it is running."""
    marker = f"===== start {bot.starts} ====="
    async with asyncio.timeout(120):
        while RUNNING not in bot.log_text().rpartition(marker)[2]:
            assert bot.process is not None
            assert bot.process.returncode is None, bot.log_text()[-3000:]
            await asyncio.sleep(0.1)
