"""A loopback Telegram Bot API for end-to-end tests, the demo and benchmarks.

``Sandbox`` is the server (point PTB's ``base_url``/``base_file_url`` at it);
``SandboxUser`` is a person talking to the bot; ``SentRecord`` is one message
the bot sent or edited. Typical use in a test::

    async with Sandbox() as sandbox:          # or: await sandbox.start() / stop()
        start_bot(base_url=sandbox.base_url, base_file_url=sandbox.base_file_url)
        villager = sandbox.user(1001, "王大爷")
        await villager.start("card_42")
        card = await villager.wait_for_text("绑定")
        await villager.press(card, text="确认")
"""

from bot.sandbox.server import Sandbox
from bot.sandbox.state import SandboxStats, SentRecord
from bot.sandbox.users import SandboxUser

__all__ = ["Sandbox", "SandboxStats", "SandboxUser", "SentRecord"]
