"""The admin's ``/klantmanagers``: the team with caseloads, moving clients, removing a klantmanager.

Buttons (prefix ``ad``) carry only numeric ids, each at most 12 digits:
``ad:km:<km>`` a klantmanager's card, ``ad:mv:<km>`` choose who takes their
clients, ``ad:to:<km>:<target>`` choose which clients, ``ad:all:<km>:<target>``
move all, ``ad:one:<client>:<target>`` move one (the list comes back for the
next), ``ad:rm:<km>`` / ``ad:rmok:<km>`` remove after a confirmation,
``ad:no`` cancel. Every press is checked again: only an admin acts, and the
work is done by ``bot/casework/staff_admin.py``, as on the command line.

This module also records when a staff member was last active (every update
they send), for the overview.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, TypeHandler, filters

from bot.screens import buttons
from bot.casework import staff, staff_admin
from bot.channels.telegram.handlers.klantmanager import _refuse as refuse
from bot.channels.telegram.handlers.common import person, pressed, staff_of
from bot.channels.telegram.handlers.klantmanager import button, say
from bot.screens.messaging import send_html
from bot.core.services import Services, services
from bot.casework.staff import Staff
from bot.casework.staff_admin import AdminError
from bot.casework.staff_text import plural, plural_key

ADMIN = "ad"
COMMAND = "klantmanagers"
ACTIVITY_GROUP = -2
"""Before every other handler group (the guard's is -1, and the first match in a
group wins), so activity is recorded whatever handles the update."""

AdminHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Services, Staff], Awaitable[None]]


def admin_only(handler: AdminHandler) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        s = services(context)
        if update.callback_query:
            await update.callback_query.answer()
        person = staff_of(update, context)
        if person is not None and person.active and not person.is_admin:
            await say(update, context, person.lang, "admin.not_admin")
            return
        if person is None or not person.active:
            await refuse(update, context)
            return
        await handler(update, context, s, person)

    return wrapper


def _clients(s: Services, lang: str, count: int) -> str:
    return plural(s.renderer, lang, "admin.clients", count)


def _last_active(s: Services, lang: str, moment: str | None) -> str:
    return s.renderer.button(lang, "km.last_active", when=moment) if moment else s.renderer.button(lang, "km.never")


async def _error(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, admin: Staff, exc: AdminError) -> None:
    count = exc.values.get("count")
    key = plural_key(s.renderer, admin.lang, exc.key, count) if isinstance(count, int) else exc.key
    await say(update, context, admin.lang, key, **exc.values)


@admin_only
async def list_klantmanagers(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, admin: Staff) -> None:
    """/klantmanagers: every klantmanager with caseload size and last activity, one button each."""
    team = staff_admin.overview(s.db)
    if not team:
        await say(update, context, admin.lang, "admin.list_empty")
        return
    lang = admin.lang
    lines = [plural(s.renderer, lang, "admin.list_header", len(team))]
    lines += [
        s.renderer.ui(
            lang,
            "admin.list_line",
            name=entry.person.name,
            clients=_clients(s, lang, entry.clients),
            last_active=_last_active(s, lang, entry.last_active_at),
        )
        for entry in team
    ]
    lines += ["", s.renderer.ui(lang, "admin.list_hint")]
    buttons = [[button(entry.person.name, f"{ADMIN}:km:{entry.person.id}")] for entry in team]
    await send_html(context.bot, update.effective_chat.id, "\n".join(lines), InlineKeyboardMarkup(buttons))


async def _card(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, admin: Staff, km_id: int) -> None:
    km = staff_admin.klantmanager(s.db, km_id)
    entry = next(e for e in staff_admin.overview(s.db) if e.person.id == km.id)
    r, lang = s.renderer, admin.lang
    buttons = InlineKeyboardMarkup(
        [
            [button(r.button(lang, "admin.reassign_button"), f"{ADMIN}:mv:{km.id}")],
            [button(r.button(lang, "admin.remove_button"), f"{ADMIN}:rm:{km.id}")],
        ]
    )
    await say(
        update,
        context,
        lang,
        "admin.card",
        buttons,
        name=km.name,
        clients=_clients(s, lang, entry.clients),
        last_active=_last_active(s, lang, entry.last_active_at),
    )


async def _choose_target(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, admin: Staff, km_id: int) -> None:
    km = staff_admin.klantmanager(s.db, km_id)
    if not staff.caseload(s.db, km.id):
        await say(update, context, admin.lang, "admin.no_clients_left", name=km.name)
        return
    colleagues = [k for k in staff.all_klantmanagers(s.db) if k.id != km.id]
    if not colleagues:
        await say(update, context, admin.lang, "km.transfer_no_colleagues")
        return
    buttons = [[button(k.name, f"{ADMIN}:to:{km.id}:{k.id}")] for k in colleagues]
    await say(update, context, admin.lang, "admin.choose_target", InlineKeyboardMarkup(buttons), name=km.name)


async def _choose_clients(
    update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, admin: Staff, km_id: int, target_id: int
) -> None:
    km, target = staff_admin.klantmanager(s.db, km_id), staff_admin.klantmanager(s.db, target_id)
    caseload = staff.caseload(s.db, km.id)
    if not caseload:
        await say(update, context, admin.lang, "admin.no_clients_left", name=km.name)
        return
    r = s.renderer
    rows = [[button(r.button(admin.lang, "admin.all_button", count=len(caseload)), f"{ADMIN}:all:{km.id}:{target.id}")]]
    rows += [[button(c.name or str(c.user_id), f"{ADMIN}:one:{c.user_id}:{target.id}")] for c in caseload]
    await say(
        update, context, admin.lang, "admin.choose_clients", InlineKeyboardMarkup(rows), name=km.name, target=target.name
    )


async def _move(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    s: Services,
    admin: Staff,
    km_id: int,
    target_id: int,
    user_ids: list[int] | None,
) -> None:
    moved = staff_admin.reassign(
        s.db, from_id=km_id, to_id=target_id, now=s.clock.now(), actor_id=admin.id, user_ids=user_ids
    )
    km, target = staff_admin.klantmanager(s.db, km_id), staff_admin.klantmanager(s.db, target_id)
    key = plural_key(s.renderer, admin.lang, "admin.reassigned", len(moved))
    await say(update, context, admin.lang, key, count=len(moved), name=km.name, target=target.name)
    if user_ids is not None:  # one at a time: offer the rest
        await _choose_clients(update, context, s, admin, km_id, target_id)


async def _confirm_remove(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, admin: Staff, km_id: int) -> None:
    km = staff_admin.klantmanager(s.db, km_id)
    remaining = len(staff.caseload(s.db, km.id))
    if remaining:
        raise AdminError("admin.error.has_clients", name=km.name, count=remaining, id=km.id)
    r = s.renderer
    buttons = InlineKeyboardMarkup(
        [
            [
                button(r.button(admin.lang, "admin.confirm_remove_button"), f"{ADMIN}:rmok:{km.id}"),
                button(r.button(admin.lang, "admin.cancel_button"), f"{ADMIN}:no"),
            ]
        ]
    )
    await say(update, context, admin.lang, "admin.confirm_remove", buttons, name=km.name)


@admin_only
async def admin_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, admin: Staff) -> None:
    fields = pressed(context)
    one, one_id, two, first, second, cancel = (
        fields["action"], fields["km"], fields["move"], fields["first"], fields["target"], fields["cancel"]
    )
    try:
        if cancel:
            await say(update, context, admin.lang, "admin.cancelled")
        elif one == "km":
            await _card(update, context, s, admin, int(one_id))
        elif one == "mv":
            await _choose_target(update, context, s, admin, int(one_id))
        elif one == "rm":
            await _confirm_remove(update, context, s, admin, int(one_id))
        elif one == "rmok":
            removed = staff_admin.remove(s.db, int(one_id), s.clock.now(), admin.id)
            await say(update, context, admin.lang, "admin.removed", name=removed.name)
        elif two == "to":
            await _choose_clients(update, context, s, admin, int(first), int(second))
        elif two == "all":
            await _move(update, context, s, admin, int(first), int(second), None)
        else:  # "one": the client's current klantmanager gives them up
            linked = staff.client(s.db, int(first))
            if linked is None:
                raise AdminError("admin.error.no_client", id=int(first))
            await _move(update, context, s, admin, linked.klantmanager_id, int(second), [linked.user_id])
    except AdminError as exc:
        await _error(update, context, s, admin, exc)


@admin_only
async def admin_stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, admin: Staff) -> None:
    """An ``ad:`` button that matches no pattern in ``bot/screens/buttons.py``: forged or from an old message."""
    await say(update, context, admin.lang, "admin.bad_button")


async def record_activity(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every update from a staff member: they were active now."""
    if update.effective_user is not None:
        s = services(context)
        person_id = person(update, context)
        if person_id is not None:
            staff_admin.touch(s.db, person_id, s.clock.now())


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, record_activity), group=ACTIVITY_GROUP)
    app.add_handler(CommandHandler(COMMAND, list_klantmanagers, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(admin_button, pattern=buttons.ADMIN))
    app.add_handler(CallbackQueryHandler(admin_stale_button, pattern=rf"^{ADMIN}:"))

