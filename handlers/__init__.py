"""Every handler, registered in one place, in the order PTB must try them.

PTB gives an update to the first matching handler of each group, so order is meaning:
- group -1 sees every update first (records the account) and never stops the rest;
- group 0 holds the commands, then each role's conversations, then the fallbacks,
  which must come last because they match almost anything;
- one error handler marks the unit of work failed, so the dispatcher rolls it back.
"""

from __future__ import annotations

from . import (
    admin,
    announce,
    away,
    binding,
    cadre,
    common,
    contact_cards,
    deadlines,
    pickers,
    province,
    roster_upload,
    rota,
    rounds,
    schedule,
    stays,
    supervision,
    supervisor,
    threads,
    villager,
)
from .context import AnyApp, LianxinContext
from .errors import on_error


def register(app: AnyApp) -> None:
    common.register_first(app)  # group -1: every update refreshes its account
    binding.register(app)  # /start, with a card's code or without
    common.register(app)  # /help
    roster_upload.register(app)  # an administrator's roster file: before every file handler
    deadlines.register(app)  # /extend: a later resolution date, once, with a reason
    pickers.register(app)  # /file, /visit, /stay: household buttons; the cadre's keyboard
    stays.register(app)  # a location during a stay (live ones too), 🌙 住村 under /stats
    schedule.register(app)  # the place after /stay or /visit, reminder opt-ins
    supervisor.register(app)  # /stats and its breakdowns
    rounds.register(app)  # /round, /meeting, 当场办结, 回头看, the 走访 figures
    announce.register(app)  # /announce, /notices, 接待日: before villager.py's messages
    cadre.register(app)  # /inbox, the request buttons
    supervision.register(app)  # the 督办 buttons on a case a supervisor sees
    away.register(app)  # /away, and 「我回来了」
    rota.register(
        app
    )  # /rota, 换班 and 报名 buttons, 「今晚谁值班」 (before villager's catch-all)
    threads.register(app)  # 「另起一件事」 under a villager's "已补充到诉求"
    villager.register(app)  # /cadres, /household, the big buttons, a bound villager's messages
    admin.register(app)  # /status
    contact_cards.register(app)  # /cards, /card: contact cards for an administrator
    common.register_fallbacks(app)  # unknown commands, not-yet-bound, unsupported, old buttons
    app.add_error_handler(on_error)


def register_province(app: AnyApp) -> None:
    """The province's own bot: its supervisors' figures, nothing of a county's bot."""
    province.register(app)
    app.add_error_handler(on_error)


__all__ = ["LianxinContext", "register", "register_province"]
