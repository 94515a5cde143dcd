"""/dashboard: a staff member asks for a sign-in link to the dashboard in the browser.

Only klantmanagers and admins get one (``bot/dashboard/signin.py``: single use,
valid 10 minutes). For anyone else this handler does not exist: the command
falls through to whatever answers an unknown command, so it does not tell a
statushouder that there is a staff side at all.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from bot.channels.telegram.handlers.klantmanager import say
from bot.channels.telegram.context import services
from bot.channels.telegram.identity import person_of
from bot.core.features import Feature
from bot.core.services import KEY
from bot.dashboard import access, links, signin
from bot.people import audit


async def dashboard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    person_id = person_of(s.db, update.effective_user.id)
    member = None if person_id is None else access.active_staff(s.db, person_id)
    if member is None:  # removed between the check and now
        return
    base = links.base_url(context.application)
    if base is None:  # this bot runs without its HTTP server
        await say(update, context, member.lang, "dashboard.not_served")
        return
    now = s.clock.now()
    token = signin.new_link_token(s.db, member.id, now)
    audit.record(s.db, now, member.id, "dashboard_link")
    await say(update, context, member.lang, "dashboard.link", url=links.sign_in_url(base, token))


class _StaffCommand(CommandHandler):
    """``/dashboard`` in a private chat, from a klantmanager or admin only (read from ``staff`` each time)."""

    def __init__(self, app: Application) -> None:
        super().__init__("dashboard", dashboard, filters=filters.ChatType.PRIVATE)
        self._app = app

    def check_update(self, update: object):  # type: ignore[no-untyped-def]
        matched = super().check_update(update)
        if not matched or not isinstance(update, Update) or update.effective_user is None:
            return None
        db = self._app.bot_data[KEY].db
        person_id = person_of(db, update.effective_user.id)
        if person_id is None or access.active_staff(db, person_id) is None:
            return None
        return matched


def _register(app: Application) -> None:
    app.add_handler(_StaffCommand(app))


FEATURE = Feature(name="km_dashboard", telegram=_register, staff_commands=("dashboard",))
