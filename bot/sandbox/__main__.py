"""Run the sandbox on its own: ``python -m bot.sandbox --port 8081 --token ...``.

For the demo and for drivers in another process (see ``control.py``): the
bot points its ``base_url`` at the printed address.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bot.sandbox.server import Sandbox


def _arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:SANDBOX-TOKEN")
    parser.add_argument("--bot-username", default="lianxin_sandbox_bot")
    parser.add_argument("--global-rate", type=int, default=30)
    parser.add_argument("--per-chat-rate", type=int, default=1)
    parser.add_argument(
        "--no-rate-limits", action="store_true", help="never answer 429 Too Many Requests"
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Start the sandbox, print where it listens, and run until cancelled."""
    sandbox = Sandbox(
        token=args.token,
        bot_username=args.bot_username,
        global_rate=args.global_rate,
        per_chat_rate=args.per_chat_rate,
        rate_limits=not args.no_rate_limits,
    )
    await sandbox.start(args.host, args.port)
    print(f"base_url={sandbox.base_url}", flush=True)
    print(f"base_file_url={sandbox.base_file_url}", flush=True)
    print(f"control={sandbox.url}/_sandbox/", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def main(argv: list[str] | None = None) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(_arguments(argv)))


if __name__ == "__main__":
    main()
