"""The klantmanager's and admin's side, common ground: who is staff, joining, and the guard.

The klantmanager's work is split by concern: ``km_caseload`` (clients, steps,
transfer), ``km_answers`` (answering questions), ``km_absence`` (away and a
substitute), ``km_broadcast`` and ``km_appointments``. Every button carries
the id it acts on, and every press is checked against the person pressing: a
klantmanager acts on their own caseload only (and on a colleague's while
substituting). Every action is written to the audit table. Klantmanager texts
are Dutch (``km.*`` keys), as the team works in Dutch.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    TypeHandler,
    filters,
)

from bot.core.channel import Button, Keyboard
from bot.core.channels import invitations
from bot.people import audit, leaving
from bot.casework import invites, relay, staff
from bot.delivery import notices
from bot.screens import views
from bot.core.clock import iso
from bot.channels.telegram.handlers.common import (
    INVITE_ANSWERS,
    ask_for_missing_onboarding,
    person,
    reader_language,
    show,
    staff_of,
    user_of,
)
from bot.channels.telegram.identity import person_of
from bot.channels.telegram.replies import send_html
from bot.core.features import Feature
from bot.core.services import KEY, Services
from bot.channels.telegram.context import services
from bot.casework.staff import Staff

CLIENT, QUESTION, AWAY, BROADCAST, APPOINTMENT, CLIENTS_PAGE = "kc", "kq", "ka", "kb", "kap", "kl"
"""Button prefixes of the klantmanager's flows."""


# ---------------------------------------------------------------- helpers


def current_klantmanager(update: Update, s: Services) -> Staff | None:
    person_id = person_of(s.db, update.effective_user.id)
    person = None if person_id is None else staff.get_staff(s.db, person_id)
    return person if person is not None and person.is_klantmanager and person.active else None


async def say(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    lang: str,
    key: str,
    markup: Keyboard = (),
    **values: Any,
) -> None:
    s = services(context)
    text = s.renderer.ui(lang, key, **values)
    await send_html(context.bot, update.effective_chat.id, text, markup)


async def _refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Someone who is not a klantmanager used a klantmanager command or button."""
    s = services(context)
    member = staff_of(update, context)
    user = user_of(update, context)
    if member is not None and member.is_admin and member.active:  # an admin who is not a klantmanager
        await say(update, context, member.lang, "admin.not_klantmanager")
    elif member is not None:  # a klantmanager an admin removed
        await say(update, context, member.lang, "km.removed")
    elif user is not None and user.lang:
        await show(
            update,
            context,
            views.text_screen(s.renderer, user.lang, "errors.not_allowed", with_menu=user.onboarded),
            user,
        )
    else:
        await ask_for_missing_onboarding(update, context, user)


StaffHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Services, Staff], Awaitable[None]]


def klantmanager_only(handler: StaffHandler) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        s = services(context)
        if update.callback_query:
            await update.callback_query.answer()
        km = current_klantmanager(update, s)
        if km is None:
            await _refuse(update, context)
            return
        await handler(update, context, s, km)

    return wrapper


def button(label: str, data: str) -> Button:
    return Button(label, data)


def client_name(s: Services, user_id: int) -> str:
    linked = staff.client(s.db, user_id)
    return linked.name if linked and linked.name else str(user_id)


def step_title(s: Services, km: Staff, step_id: str | None) -> str:
    step = s.renderer.journey.step(step_id) if step_id else None
    return (
        f"{step.number}. {s.renderer.title(km.lang, step.overview)}" if step else s.renderer.ui(km.lang, "km.no_step")
    )


def caseload_owners(s: Services, km: Staff, now: datetime) -> list[int]:
    """This klantmanager, and the colleagues they substitute for now."""
    return [km.id] + [k.id for k in staff.substituted_by(s.db, km.id, now)]


async def not_yours(update: Update, context: ContextTypes.DEFAULT_TYPE, km: Staff, user_id: int | None) -> None:
    s = services(context)
    audit.record(
        s.db,
        s.clock.now(),
        km.id,
        "refused",
        user_id,
        data=update.callback_query.data if update.callback_query else None,
    )
    await say(update, context, km.lang, "km.not_yours")


# ---------------------------------------------------------------- joining


async def accept_invite(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
    """An invited klantmanager opened their link: they become a klantmanager.

    Not a statushouder who uses Wegwijs: that would leave their own data
    unreachable. The link stays unused; the admin decides.
    """
    s = services(context)
    now = s.clock.now()
    user = user_of(update, context)
    if user is not None and user.onboarded:
        await show(update, context, views.text_screen(s.renderer, user.lang, "link.staff_only", with_menu=True), user)
        return
    person_id = person(update, context, create=True)
    result, invite = invites.redeem(s.db, code, person_id, now)
    if result is not invites.Redeemed.OK or invite.kind != invites.KLANTMANAGER:
        lang = reader_language(s, update, user)  # not staff yet: the reader's own language
        await say(update, context, lang, INVITE_ANSWERS.get(result, "errors.bad_code"))
        return
    lang = s.renderer.journey.source_language
    name = update.effective_user.full_name
    staff.add_klantmanager(s.db, person_id, name, now)
    audit.record(s.db, now, invite.created_by, "klantmanager_added", None, klantmanager=person_id)
    await say(update, context, lang, "km.welcome", name=name)


async def staff_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start from a klantmanager or admin: what they can do here."""
    person = staff_of(update, context)
    await say(update, context, person.lang, "km.help" if person.is_klantmanager else "admin.help")


async def invite_klantmanager(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invite (admins): a single-use link for a new klantmanager."""
    s = services(context)
    admin = staff_of(update, context)
    if admin is not None and not admin.is_admin:
        await say(update, context, admin.lang, "admin.only_admins")
        return
    if admin is None:
        await _refuse(update, context)
        return
    now = s.clock.now()
    code = invites.create(s.db, invites.KLANTMANAGER, admin.id, now)
    audit.record(s.db, now, admin.id, "klantmanager_invited", None)
    link = f"https://t.me/{context.bot.username}?start={code}"
    await say(update, context, admin.lang, "admin.invite_created", link=link, until=iso(now + invites.DEFAULT_TTL))


@klantmanager_only
async def new_client(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """/newclient <name>: a single-use, expiring link and QR code for one client.

    The Telegram link first; then the link of each channel beside Telegram that
    offers one (the web chat, when its public address is known), with its own QR code.
    """
    name = " ".join(context.args or []).strip()
    if not name or len(name) > 100:
        await say(update, context, km.lang, "km.newclient_usage")
        return
    now = s.clock.now()
    code = invites.create(s.db, invites.CLIENT, km.id, now, klantmanager_id=km.id, name=name)
    audit.record(s.db, now, km.id, "client_invited", None, code=code)
    link = f"https://t.me/{context.bot.username}?start={code}"
    await say(
        update, context, km.lang, "km.invite_created", client=name, link=link, until=iso(now + invites.DEFAULT_TTL)
    )
    await _send_qr(update, context, link, s.renderer.ui(km.lang, "km.invite_qr_caption", client=name))
    for invitation in invitations(s, code):
        await say(update, context, km.lang, invitation.text, client=name, link=invitation.link)
        await _send_qr(update, context, invitation.link, s.renderer.ui(km.lang, invitation.qr_caption, client=name))


def qr_png(link: str) -> bytes:
    """The QR code of a link, as a PNG image (every invitation's, in every channel)."""
    import segno  # here, not at the top: drawing QR codes is rare, and the bot starts faster

    png = io.BytesIO()
    segno.make(link, error="m").save(png, kind="png", scale=8, border=2)
    return png.getvalue()


async def _send_qr(update: Update, context: ContextTypes.DEFAULT_TYPE, link: str, caption: str) -> None:
    await context.bot.send_photo(update.effective_chat.id, qr_png(link), caption=caption, parse_mode=ParseMode.HTML)


def _outside_staff_flows(s: Services, update: Update) -> bool:
    """Is this staff member using something meant for statushouders?"""
    person_id = person_of(s.db, update.effective_user.id) if update.effective_user else None
    member = None if person_id is None else staff.get_staff(s.db, person_id)
    if member is None:
        return False
    if update.callback_query:
        return (update.callback_query.data or "").split(":")[0] not in s.registry.staff_buttons
    message = update.effective_message
    if message is None:
        return False
    text = message.text or ""
    if text.startswith("/"):
        return text[1:].split()[0].split("@")[0] not in s.registry.staff_commands if text[1:] else True
    return not member.is_klantmanager


class _StaffOutside(TypeHandler):
    """Staff never enter the statushouder's flows (onboarding, menus, search): they get the staff help."""

    def __init__(self, app: Application) -> None:
        super().__init__(Update, self._help)
        self._app = app

    def check_update(self, update: object) -> bool:
        return isinstance(update, Update) and _outside_staff_flows(self._app.bot_data[KEY], update)

    @staticmethod
    async def _help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query:
            await update.callback_query.answer()
        await staff_help(update, context)


class _StaffStart(filters.MessageFilter):
    """``/start`` from staff, or with a klantmanager's invitation: the staff's, not onboarding."""

    def __init__(self, app: Application) -> None:
        super().__init__(name="StaffStart")
        self._app = app

    def filter(self, message: Any) -> bool:
        code = (message.text or "").split()[1:2]
        if code and code[0].startswith(f"{invites.KLANTMANAGER}-"):
            return True
        return message.from_user is not None and staff.get_staff(self._app.bot_data[KEY].db, message.from_user.id) is not None


async def staff_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start of a klantmanager's invitation, or from someone who is staff already."""
    code = context.args[0] if context.args else None
    if code is not None and code.startswith(f"{invites.KLANTMANAGER}-"):
        await accept_invite(update, context, code)
        return
    await staff_help(update, context)


def _register(app: Application) -> None:
    app.add_handler(_StaffOutside(app))  # first, so it wins over every statushouder handler
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", staff_start, filters=private & _StaffStart(app)))
    app.add_handler(CommandHandler("invite", invite_klantmanager, filters=private))
    app.add_handler(CommandHandler("newclient", new_client, filters=private))


FEATURE = Feature(
    name="klantmanager",
    telegram=_register,
    senders={**relay.SENDERS, **leaving.SENDERS, **notices.SENDERS},
    staff_commands=("start", "invite", "newclient"),
)
