"""/broadcast: a message to all own clients in a step, with a preview, through the outbox."""

from __future__ import annotations

from html import escape

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.people import audit
from bot.core import awaiting
from bot.delivery import outbox
from bot.casework import staff
from bot.screens import buttons as patterns
from bot.core.awaiting import Awaiting
from bot.channels.telegram.handlers.common import pressed
from bot.channels.telegram.handlers.klantmanager import (
    BROADCAST,
    button,
    current_klantmanager,
    klantmanager_only,
    not_yours,
    say,
)
from bot.screens.messaging import Screen, send_html, send_screen
from bot.delivery.outbox import OutboxRow, Skipped
from bot.core.services import Services, services
from bot.channels.telegram.identity import chat_of
from bot.casework.staff import Staff
from bot.casework.staff_text import plural_key
from bot.people.users import User, get_user

BROADCAST_TEXT, BROADCAST_CONFIRM = "km_broadcast_text", "km_broadcast_confirm"
BROADCAST_KIND = "broadcast"


@klantmanager_only
async def broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    """/broadcast: choose a step, then a text; preview; confirm; sent through the outbox."""
    buttons = [
        [button(f"{st.number}. {s.renderer.title(km.lang, st.overview)}", f"{BROADCAST}:step:{st.id}")]
        for st in s.renderer.journey.steps
    ]
    await say(update, context, km.lang, "km.broadcast_choose_step", InlineKeyboardMarkup(buttons))


def _recipients(s: Services, km: Staff, step_id: str) -> list[User]:
    users = [get_user(s.db, c.user_id) for c in staff.caseload(s.db, km.id)]
    return [u for u in users if u is not None and u.onboarded and u.active and u.step == step_id]


@klantmanager_only
async def broadcast_button(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    fields = pressed(context)
    action, step_id = fields["action"], fields.get("step")
    journey = s.renderer.journey
    if action == "step" and journey.step(step_id):
        step = journey.step(step_id)
        buttons = [
            [button(s.renderer.title(km.lang, i), f"{BROADCAST}:item:{step.id}:{i}")]
            for i in (r.id for r in step.items)
        ]
        buttons.append(
            [button(s.renderer.button(km.lang, "km.broadcast_free_text_button"), f"{BROADCAST}:text:{step.id}")]
        )
        await say(
            update,
            context,
            km.lang,
            "km.broadcast_choose_content",
            InlineKeyboardMarkup(buttons),
            step=s.renderer.title(km.lang, step.overview),
        )
    elif action == "item" and journey.step(step_id) and fields["item"] in journey.referenced_items():
        await _broadcast_preview(update, context, s, km, step_id=step_id, item_id=fields["item"])
    elif action == "text" and journey.step(step_id):
        awaiting.expect(s.db, km.id, BROADCAST_TEXT, step=step_id)
        await say(update, context, km.lang, "km.broadcast_prompt")
    elif action == "send":
        await _broadcast_send(update, context, s, km)
    elif action == "cancel":
        awaiting.clear(s.db, km.id)
        await say(update, context, km.lang, "km.broadcast_cancelled")
    else:
        await not_yours(update, context, km, None)


async def _broadcast_preview(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    s: Services,
    km: Staff,
    *,
    step_id: str,
    item_id: str | None = None,
    text: str | None = None,
) -> None:
    if item_id is None and not text:
        await say(update, context, km.lang, "km.broadcast_prompt")
        return
    recipients = _recipients(s, km, step_id)
    step_title = s.renderer.title(km.lang, s.renderer.journey.step(step_id).overview)
    if not recipients:
        awaiting.clear(s.db, km.id)
        await say(update, context, km.lang, "km.broadcast_none")
        return
    awaiting.expect(s.db, km.id, BROADCAST_CONFIRM, step=step_id, item_id=item_id, text=text)
    # A text from the content goes out translated; the klantmanager's own text exactly as written.
    preview_name = "km.broadcast_preview" if item_id is not None else "km.broadcast_preview_as_written"
    preview_key = plural_key(s.renderer, km.lang, preview_name, len(recipients))
    await say(update, context, km.lang, preview_key, count=len(recipients), step=step_title)
    preview = broadcast_text(s, km.lang, km, item_id, text)
    buttons = InlineKeyboardMarkup(
        [
            [
                button(s.renderer.button(km.lang, "km.broadcast_send_button"), f"{BROADCAST}:send"),
                button(s.renderer.button(km.lang, "km.broadcast_cancel_button"), f"{BROADCAST}:cancel"),
            ]
        ]
    )
    await send_html(context.bot, update.effective_chat.id, preview, buttons)


async def _broadcast_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, user: User | None, state: Awaiting
) -> None:
    """The klantmanager wrote the message to broadcast."""
    s = services(context)
    km = current_klantmanager(update, s)
    await _broadcast_preview(update, context, s, km, step_id=state.data["step"], text=update.effective_message.text)


def broadcast_text(s: Services, lang: str, km: Staff | None, item_id: str | None, text: str | None) -> str:
    """A broadcast as one reader sees it, rendered in their language."""
    if item_id is not None:
        item = s.renderer.item(lang, item_id)
        return item.html if item else s.renderer.ui(lang, "errors.generic")
    head = s.renderer.ui(lang, "broadcast.from_klantmanager", name=km.name if km else "")
    return f"{head}\n\n{escape(text or '', quote=False)}"


async def _broadcast_send(update: Update, context: ContextTypes.DEFAULT_TYPE, s: Services, km: Staff) -> None:
    state = awaiting.current(s.db, km.id)
    if state is None or state.kind != BROADCAST_CONFIRM:
        await not_yours(update, context, km, None)
        return
    awaiting.clear(s.db, km.id)
    now = s.clock.now()
    recipients = _recipients(s, km, state.data["step"])
    broadcast_id = f"{km.id}:{int(now.timestamp())}"
    params = {"item_id": state.data.get("item_id"), "text": state.data.get("text"), "klantmanager_id": km.id}
    with s.db.atomic():  # one commit for the whole broadcast
        outbox.enqueue_many(
            s.db,
            (
                outbox.Planned(
                    user_id=user.id, chat_id=user.id, kind=BROADCAST_KIND, params=params, due_at=now,
                    key=f"broadcast:{broadcast_id}:{user.id}",
                )
                for user in recipients
            ),
        )
    audit.record(
        s.db,
        now,
        km.id,
        "broadcast",
        None,
        step=state.data["step"],
        item=state.data.get("item_id"),
        count=len(recipients),
    )
    done_key = plural_key(s.renderer, km.lang, "km.broadcast_done", len(recipients))
    await say(update, context, km.lang, done_key, count=len(recipients))


async def send_broadcast(bot: Bot, s: Services, row: OutboxRow) -> Skipped | None:
    """Outbox sender: one broadcast message, rendered in the reader's language at send time."""
    user = get_user(s.db, row.user_id)
    if user is None or not user.onboarded:
        return Skipped("the person erased their data")
    params = row.params
    km = staff.get_staff(s.db, int(params["klantmanager_id"]))
    screen = Screen(text=lambda lg: broadcast_text(s, lg, km, params.get("item_id"), params.get("text")))
    await send_screen(bot, s.renderer, chat_of(s.db, user.id), screen, user.lang, user)
    return None


def register(app: Application) -> None:
    outbox.register_kind(BROADCAST_KIND, send_broadcast)
    awaiting.register(BROADCAST_TEXT, _broadcast_text)
    app.add_handler(CommandHandler("broadcast", broadcast, filters=filters.ChatType.PRIVATE))
    for pattern in (patterns.BROADCAST, patterns.BROADCAST_ITEM, patterns.BROADCAST_FLOW):
        app.add_handler(CallbackQueryHandler(broadcast_button, pattern=pattern))
