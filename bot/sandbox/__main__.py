"""Run the sandbox alone: ``python -m bot.sandbox --port 8081 --user 2001:Lan --user 2002:Bình``.

Point any bot at it with base_url http://127.0.0.1:PORT/bot and open http://127.0.0.1:PORT/ to chat.
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.sandbox import BotApiSandbox, SandboxFaults, SandboxLimits, SandboxRules


async def _serve(args: argparse.Namespace) -> None:
    sb = BotApiSandbox(args.host, args.port, token=args.token, bot_username=args.bot_username,
                       limits=SandboxLimits(enabled=not args.no_limits),
                       rules=SandboxRules.lenient() if args.lenient else SandboxRules(),
                       faults=SandboxFaults(http_5xx=args.fault_5xx, http_429=args.fault_429, drop=args.fault_drop,
                                            slow=args.fault_slow, seed=args.seed))
    async with sb:
        for spec in args.user:
            uid, _, name = spec.partition(":")
            sb.add_user(int(uid), name or f"User {uid}")
        print(f"Bot API sandbox: {sb.url}/  (bot base_url {sb.bot_api_base_url}, token {sb.token})", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bot.sandbox", description="local Telegram Bot API sandbox")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8081)
    p.add_argument("--token", default="123456:SANDBOX")
    p.add_argument("--bot-username", default="dondoc_bot")
    p.add_argument("--user", action="append", default=[], metavar="ID:NAME")
    p.add_argument("--no-limits", action="store_true", help="disable the Telegram-like flood limits")
    p.add_argument("--lenient", action="store_true", help="turn off every rule of SandboxRules (not like Telegram)")
    p.add_argument("--fault-5xx", type=float, default=0.0)
    p.add_argument("--fault-429", type=float, default=0.0)
    p.add_argument("--fault-drop", type=float, default=0.0)
    p.add_argument("--fault-slow", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=None)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
