"""/dashboard: a staff member asks for a sign-in link to the dashboard in the browser.

Only klantmanagers and admins get one (``bot/dashboard/signin.py``: single use,
valid 10 minutes); anyone else gets the answer to any unknown command, so the
command does not tell a statushouder that there is a staff side at all.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from bot.channels.telegram.handlers import fallback
from bot.channels.telegram.handlers.klantmanager import say
from bot.core.services import services
from bot.dashboard import access, links, signin
from bot.people import audit


async def dashboard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    member = access.active_staff(s.db, update.effective_user.id)
    if member is None:
        await fallback.unknown_command(update, context)
        return
    base = links.base_url(context.application)
    if base is None:  # this bot runs without its HTTP server
        await say(update, context, member.lang, "dashboard.not_served")
        return
    now = s.clock.now()
    token = signin.new_link_token(s.db, member.id, now)
    audit.record(s.db, now, member.id, "dashboard_link")
    await say(update, context, member.lang, "dashboard.link", url=links.sign_in_url(base, token))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("dashboard", dashboard, filters=filters.ChatType.PRIVATE))
