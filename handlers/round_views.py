"""How rounds, 夜议, 回头看 and the 走访 figures look: pure functions from the use
cases' results (``bot.services.rounds``) to text and buttons. Button data carries ids,
pages and day counts only (``rd:`` and ``hk:``), never names."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Callback
from bot.domain import picking
from bot.domain.rounds import Coverage, Finding
from bot.i18n import Texts
from bot.services.rounds import (
    Asking,
    Confirmed,
    Covered,
    DecisionPick,
    Findings,
    Left,
    MeetingLogged,
    Menu,
    Recorded,
    RevisitAsk,
    RoundLine,
    Scheduled,
    Solved,
    Started,
    TeamPick,
    Villages,
    VisitFigures,
)

from .paging import bounded

ROUND, REVISIT = "rd", "hk"  # "rv" is the villager receipt's scope
END_DAYS = (7, 14, 30)
REVISIT_DAYS = (3, 7, 14, 30)
Row = list[InlineKeyboardButton]


def button(label: str, scope: str, action: str, *args: object) -> InlineKeyboardButton:
    data = Callback(scope, action, ".".join(str(a) for a in args)).encode()
    return InlineKeyboardButton(label, callback_data=data)


def percent(cover: Coverage) -> str:
    return "—" if cover.ratio is None else f"{cover.ratio * 100:.0f}%"


def line_text(texts: Texts, line: RoundLine) -> str:
    found, cover = line.round, line.coverage
    return texts(
        "rounds.line",
        village=bounded(found.region.name),
        ends=found.ends_on.isoformat(),
        visited=cover.visited,
        households=cover.households,
        percent=percent(cover),
        findings=line.findings,
        on_spot=line.on_spot,
        confirmed=line.confirmed,
    )


def menu(texts: Texts, shown: Menu) -> tuple[str, InlineKeyboardMarkup | None]:
    rows: list[Row] = [
        [
            button(
                texts("rounds.left_button", village=bounded(r.round.region.name)),
                ROUND,
                "l",
                r.round.id,
                0,
            )
        ]
        for r in shown.rounds
    ]
    if shown.may_start:
        rows.append([button(texts("rounds.new_button"), ROUND, "new")])
    lines = [line_text(texts, r) for r in shown.rounds] or [texts("rounds.none")]
    head = texts("rounds.menu_head")
    return f"{head}\n" + "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def villages(texts: Texts, shown: Villages) -> tuple[str, InlineKeyboardMarkup | None]:
    rows = [
        [button(bounded(v.name), ROUND, "v", v.id)] for v in shown.villages if picking.is_id(v.id)
    ]
    if not rows:
        return texts("rounds.no_villages"), None
    return texts("rounds.pick_village"), InlineKeyboardMarkup(rows)


def team(texts: Texts, pick: TeamPick) -> tuple[str, InlineKeyboardMarkup]:
    chosen = set(pick.draft.team)
    rows = [
        [
            button(
                ("✅ " if c.id in chosen else "")
                + texts(
                    "rounds.team_member", name=bounded(c.name), rank=texts(f"people.rank.{c.rank}")
                ),
                ROUND,
                "t",
                c.id,
            )
        ]
        for c in pick.choices
        if picking.is_id(c.id)
    ]
    rows.append([button(texts("rounds.end_in", days=d), ROUND, "e", d) for d in END_DAYS])
    names = [c.name for c in pick.choices if c.id in chosen]
    text = texts(
        "rounds.pick_team",
        village=bounded(pick.draft.region.name),
        team="、".join(names) or texts("rounds.nobody"),
    )
    return text, InlineKeyboardMarkup(rows)


def started(texts: Texts, done: Started) -> str:
    members = "、".join(m.name for m in done.line.round.team)
    return texts("rounds.started", team=members) + "\n" + line_text(texts, done.line)


def started_for_team(texts: Texts, done: Started) -> tuple[str, InlineKeyboardMarkup]:
    found = done.line.round
    text = texts(
        "rounds.team_told",
        village=bounded(found.region.name),
        ends=found.ends_on.isoformat(),
        households=done.line.coverage.households,
    )
    keyboard = [
        [
            button(
                texts("rounds.left_button", village=bounded(found.region.name)),
                ROUND,
                "l",
                found.id,
                0,
            )
        ]
    ]
    return text, InlineKeyboardMarkup(keyboard)


def left(texts: Texts, shown: Left) -> tuple[str, InlineKeyboardMarkup]:
    round_id = shown.line.round.id
    rows = [
        [button(texts("rounds.household", head=bounded(head), id=hid), ROUND, "h", round_id, hid)]
        for hid, head in shown.households
        if picking.is_id(hid)
    ]
    step: Row = []
    if shown.page > 0:
        step.append(button(texts("pickers.previous"), ROUND, "l", round_id, shown.page - 1))
    if shown.page + 1 < shown.pages:
        step.append(button(texts("pickers.next"), ROUND, "l", round_id, shown.page + 1))
    if step:
        rows.append(step)
    rows.append([button(texts("rounds.findings_button"), ROUND, "p", round_id)])
    head = line_text(texts, shown.line)
    if not shown.households:
        return f"{head}\n{texts('rounds.all_visited')}", InlineKeyboardMarkup(rows)
    page = texts("pickers.page", page=shown.page + 1, pages=shown.pages)
    return f"{head}\n{texts('rounds.left_head')} {page}", InlineKeyboardMarkup(rows)


def covered(texts: Texts, done: Covered) -> tuple[str, InlineKeyboardMarkup]:
    found = done.line.round
    text = texts(
        "rounds.covered",
        head=bounded(done.head_name),
        visited=done.line.coverage.visited,
        households=done.line.coverage.households,
    )
    if done.night:
        text += "\n" + texts("rounds.night")
    rows = [
        [button(texts("rounds.finding_button"), ROUND, "f", found.id, done.household_id)],
        [button(texts("rounds.back_button"), ROUND, "l", found.id, 0)],
    ]
    return text, InlineKeyboardMarkup(rows)


def asking(texts: Texts, asked: Asking) -> str:
    return texts("rounds.finding_ask", head=bounded(asked.head_name))


def findings(texts: Texts, shown: Findings) -> tuple[str, InlineKeyboardMarkup]:
    round_id = shown.line.round.id
    rows = [
        [
            button(
                texts("rounds.on_spot_button", number=f.number), ROUND, "s", round_id, f.request_id
            )
        ]
        for f in shown.findings
        if f.status in ("open", "acknowledged")
    ]
    rows.append([button(texts("rounds.back_button"), ROUND, "l", round_id, 0)])
    lines = [_finding(texts, f) for f in shown.findings] or [texts("rounds.no_findings")]
    text = line_text(texts, shown.line) + "\n" + "\n".join(lines)
    return text, InlineKeyboardMarkup(rows)


def _finding(texts: Texts, found: Finding) -> str:
    state = "confirmed" if found.confirmed else "on_spot" if found.on_spot else found.status
    return texts(
        "rounds.finding_line",
        number=found.number,
        head=bounded(found.head_name),
        state=texts(f"rounds.state.{state}"),
    )


def solved(texts: Texts, done: Solved) -> tuple[str, InlineKeyboardMarkup]:
    text = texts("rounds.solved", number=done.request.number, head=bounded(done.head_name))
    press = button(texts("rounds.confirm_button"), ROUND, "c", done.request.id)
    return text, InlineKeyboardMarkup([[press]])


def confirmed(texts: Texts, done: Confirmed) -> str:
    return texts("rounds.confirmed", number=done.request.number, head=bounded(done.head_name))


def meeting(texts: Texts, done: MeetingLogged) -> tuple[str, InlineKeyboardMarkup | None]:
    held = done.meeting
    lines = [
        texts(
            "rounds.meeting_logged",
            village=bounded(done.village.name),
            topic=held.topic,
            attendance=held.attendance,
            decisions=len(held.decisions),
        ),
        *(f"{n}. {d}" for n, d in enumerate(held.decisions, 1)),
    ]
    rows = [
        [button(texts("rounds.decision_button", number=n), ROUND, "d", done.meeting_id, n, 0)]
        for n in range(1, len(held.decisions) + 1)
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def decision(texts: Texts, pick: DecisionPick) -> tuple[str, InlineKeyboardMarkup]:
    meeting_id, number = pick.meeting_id, pick.number
    rows = [
        [
            button(
                texts("rounds.household", head=bounded(head), id=hid),
                ROUND,
                "x",
                meeting_id,
                number,
                hid,
            )
        ]
        for hid, head in pick.households
        if picking.is_id(hid)
    ]
    step: Row = []
    if pick.page > 0:
        step.append(
            button(texts("pickers.previous"), ROUND, "d", meeting_id, number, pick.page - 1)
        )
    if pick.page + 1 < pick.pages:
        step.append(button(texts("pickers.next"), ROUND, "d", meeting_id, number, pick.page + 1))
    if step:
        rows.append(step)
    return texts("rounds.decision_ask", text=pick.text), InlineKeyboardMarkup(rows)


# --- 回头看 ---------------------------------------------------------------------------------


def revisit_button(texts: Texts, request_id: int) -> InlineKeyboardButton:
    """On a closed case card (``tell_cadre.actions_keyboard``)."""
    return button(texts("rounds.revisit_button"), REVISIT, "ask", request_id)


def revisit_days(texts: Texts, asked: RevisitAsk) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [button(texts("rounds.revisit_in", days=d), REVISIT, "day", asked.request.id, d)]
        for d in REVISIT_DAYS
    ]
    return texts("rounds.revisit_ask", number=asked.request.number), InlineKeyboardMarkup(rows)


def result_buttons(texts: Texts, revisit_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(texts("rounds.revisit_ok"), REVISIT, "ok", revisit_id)],
            [button(texts("rounds.revisit_again"), REVISIT, "again", revisit_id)],
        ]
    )


def scheduled(texts: Texts, done: Scheduled) -> tuple[str, InlineKeyboardMarkup]:
    text = texts("rounds.revisit_scheduled", number=done.request.number, day=done.due_on)
    return text, result_buttons(texts, done.revisit_id)


def recorded(texts: Texts, done: Recorded) -> str:
    key = "rounds.revisit_satisfied" if done.satisfied else "rounds.revisit_problem"
    return texts(key, number=done.request.number, head=bounded(done.head_name))


def overdue_revisit(texts: Texts, number: str, head: str, day: str) -> str:
    return texts("rounds.revisit_overdue", number=number, head=bounded(head), day=day)


# --- the 走访 figures -----------------------------------------------------------------------


def figures(texts: Texts, shown: VisitFigures, limit: int = 30) -> str:
    period = shown.period
    lines = [texts("rounds.stats_head", first=period.first, last=period.last)]
    for c in shown.cadres[:limit]:
        lines.append(
            texts("rounds.stats_cadre", name=c.cadre.name, visits=c.visits, nights=c.nights)
        )
    unvisited = len(shown.unvisited)
    lines.append(texts("rounds.stats_unvisited", count=unvisited, households=shown.households))
    if shown.unvisited:
        names = "、".join(bounded(head) for _, head in shown.unvisited[:10])
        lines.append(names + ("…" if unvisited > 10 else ""))
    return "\n".join([*lines, *_week_and_rounds(texts, shown, limit)])


def _week_and_rounds(texts: Texts, shown: VisitFigures, limit: int) -> list[str]:
    lines = [texts("rounds.stats_week", first=shown.week[0], last=shown.week[1])]
    behind = [n for n in shown.nights if n.behind]
    lines += [
        texts("rounds.stats_behind", name=n.name, nights=n.nights, needed=n.needed)
        for n in behind[:limit]
    ] or [texts("rounds.stats_none_behind")]
    lines += [line_text(texts, r) for r in shown.rounds]
    meetings, attendance, filed = shown.meetings
    lines.append(
        texts("rounds.stats_meetings", meetings=meetings, attendance=attendance, filed=filed)
    )
    scheduled_, done, again, late = shown.revisits
    lines.append(
        texts("rounds.stats_revisits", scheduled=scheduled_, done=done, again=again, late=late)
    )
    return lines
