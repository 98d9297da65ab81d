"""One chat's flood must not hold back another person's answer (issue 9, item 4).

50 unbound villagers send 40 messages each, 2,000 in all, and the bot answers every
one (one a second per chat, 28 a second in all: about 70 s of answers). Then a
newcomer asks for /help. The newcomer's answer must come while the flood's answers
are still going out, not after them: the dispatcher takes each chat's rows in turn and
the sender serves chats round-robin. (On the former code the newcomer's update waited
behind the 1,000 oldest inbox rows, then its answer behind every older answer.)
"""

from __future__ import annotations

from bot.sandbox.server import Sandbox
from tests.e2e.conftest import StartBot

FLOODERS = 50
PER_FLOODER = 40
FLOOD = FLOODERS * PER_FLOODER


async def test_a_newcomer_is_answered_before_a_flood_of_others_drains(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    await start_bot()
    probe = sandbox.user(1001, "王秀英")
    await probe.start()
    await probe.wait_for_text("王秀英", timeout=60)  # the bot is up
    flooders = [sandbox.user(200_000 + i, f"村民{i}") for i in range(FLOODERS)]
    newcomer = sandbox.user(300_000, "李新来")
    for n in range(PER_FLOODER):
        for person in flooders:
            await person.send_text(f"第{n}条：路灯坏了")
    await newcomer.command("help")

    await newcomer.wait_for(lambda message: True, timeout=300)
    answered_at = next(r.at for r in sandbox.sent if r.chat_id == newcomer.user_id)
    flood_chats = {p.user_id for p in flooders}
    flood_answers_before = sum(
        1 for r in sandbox.sent if r.chat_id in flood_chats and r.at <= answered_at
    )
    print(f"\nfairness: the newcomer was answered after {flood_answers_before} of {FLOOD}")
    assert flood_answers_before < FLOOD // 2
