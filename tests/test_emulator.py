"""Tests of the Bot API emulator, driven through the real python-telegram-bot stack."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    TelegramObject,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.channels.telegram.telegram_html import (
    TelegramHTMLError,
    parse_telegram_html,
    parse_telegram_html_entities,
    strip_formatted_text,
    utf16_len,
)
from bot.emulator import ControlAPIError, EmulatorClient, RunningEmulator, running_emulator

# PTB 22 warns that duration-like attributes (retry_after, Voice.duration) will become timedeltas.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TOKEN = "123:ABC"
USER = 4242
# A 1x1 PNG; the emulator reads the dimensions from the header.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001d0d4f2c20000000049454e44ae426082"
)


def assert_known_fields(obj: Any, path: str = "") -> None:
    """PTB puts JSON fields it does not know into ``api_kwargs``: the emulator must send none."""
    if isinstance(obj, (tuple, list)):
        for index, item in enumerate(obj):
            assert_known_fields(item, f"{path}[{index}]")
        return
    if not isinstance(obj, TelegramObject):
        return
    name = path or type(obj).__name__
    assert not obj.api_kwargs, f"{name} has fields PTB does not know: {dict(obj.api_kwargs)}"
    for cls in type(obj).__mro__[:-1]:
        for slot in getattr(cls, "__slots__", ()):
            if not slot.startswith("_"):
                assert_known_fields(getattr(obj, slot, None), f"{name}.{slot}")


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.fixture
async def emu() -> AsyncIterator[RunningEmulator]:
    async with running_emulator(limits=False) as running:
        yield running


@pytest.fixture
async def bot(emu: RunningEmulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.api_url, base_file_url=emu.file_url) as telegram_bot:
        yield telegram_bot


@pytest.fixture
async def client(emu: RunningEmulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emu.control_url) as control:
        await control.register_user(USER, "Amal", language_code="ar")
        yield control


KEYBOARD = InlineKeyboardMarkup(
    [[InlineKeyboardButton("Ja", callback_data="yes"), InlineKeyboardButton("Nee", callback_data="no")]]
)


# --------------------------------------------------------------------------- HTML parser


def test_html_nesting_entities_and_offsets() -> None:
    text, entities = parse_telegram_html_entities(
        '<b>Vet <i>schuin</i></b> 😀 <a href="https://x.nl/?a=1&amp;b=2">link</a>\n'
        '<pre><code class="language-python">x = 1</code></pre><blockquote expandable>q</blockquote>'
        '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert text == "Vet schuin 😀 link\nx = 1qst👍"
    link_offset = utf16_len("Vet schuin 😀 ")
    assert entities == [
        {"type": "bold", "offset": 0, "length": 10},
        {"type": "italic", "offset": 4, "length": 6},
        {"type": "text_link", "offset": link_offset, "length": 4, "url": "https://x.nl/?a=1&b=2"},
        {"type": "pre", "offset": link_offset + 5, "length": 5, "language": "python"},
        {"type": "expandable_blockquote", "offset": link_offset + 10, "length": 1},
        {"type": "spoiler", "offset": link_offset + 11, "length": 1},
        {"type": "spoiler", "offset": link_offset + 12, "length": 1},
        {"type": "custom_emoji", "offset": link_offset + 13, "length": 2, "custom_emoji_id": "5368324170671202286"},
    ]


def test_html_character_references_and_visible_length() -> None:
    assert parse_telegram_html("a &lt;b&gt; &amp; &quot;c&quot; &#65;&#x42;") == 'a <b> & "c" AB'
    assert parse_telegram_html("<B>Hoofd</B><STRONG>letters</STRONG>") == "Hoofdletters"
    assert len(parse_telegram_html("&amp;" * 100)) == 100
    assert parse_telegram_html("plain > text") == "plain > text"


@pytest.mark.parametrize(
    "html",
    [
        "<b>unclosed",
        "<div>block</div>",
        "fish & chips",
        "&nbsp;",
        "&#0;",
        "a < b",
        "<b><i>crossed</b></i>",
        "</b>",
        "<br/>",
        "<span>no class</span>",
        '<span class="other">x</span>',
        "<b",
        '<a href="unterminated>x</a>',
        "<tg-emoji>x</tg-emoji>",
    ],
)
def test_html_errors(html: str) -> None:
    with pytest.raises(TelegramHTMLError) as info:
        parse_telegram_html(html)
    assert info.value.description


def test_html_error_descriptions_match_telegram_wording() -> None:
    with pytest.raises(TelegramHTMLError, match='Unsupported start tag "div" at byte offset 3'):
        parse_telegram_html("ab <div>")
    with pytest.raises(TelegramHTMLError, match='Can\'t find end tag corresponding to start tag "b"'):
        parse_telegram_html("<b>x")


def test_strip_formatted_text_shifts_entities() -> None:
    text, entities = strip_formatted_text("  hi there \n", [{"type": "bold", "offset": 0, "length": 5}])
    assert text == "hi there"
    assert entities == [{"type": "bold", "offset": 0, "length": 3}]


# --------------------------------------------------------------------------- sending and updates


async def test_send_message_html_with_keyboard(bot: Bot, client: EmulatorClient) -> None:
    message = await bot.send_message(USER, "<b>Welkom</b> bij &quot;Wegwijs&quot;", parse_mode="HTML", reply_markup=KEYBOARD)
    assert isinstance(message, Message)
    assert_known_fields(message)
    assert message.text == 'Welkom bij "Wegwijs"'
    assert message.text_html == "<b>Welkom</b> bij &quot;Wegwijs&quot;"
    assert message.reply_markup == KEYBOARD
    assert message.chat.id == USER and message.chat.type == "private"
    assert message.from_user.is_bot and message.from_user.username == "wegwijs_bot"
    assert message.from_user.id == 123  # derived from the token

    [stored] = await client.messages(USER)
    assert stored["html"] == '<b>Welkom</b> bij &quot;Wegwijs&quot;'
    assert stored["parse_mode"] == "HTML" and stored["from_bot"] and stored["kind"] == "text"
    assert stored["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "no"


async def test_long_polling_returns_as_soon_as_update_arrives(bot: Bot, client: EmulatorClient) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    sent = await client.send_text(USER, "/start abc", first_name="Amal", language_code="ar")
    updates = await poll
    assert time.monotonic() - started < 2
    [update] = updates
    assert isinstance(update, Update)
    assert_known_fields(update)
    assert update.update_id == sent["update_id"]
    assert update.message.text == "/start abc"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start")
    assert update.message.from_user.language_code == "ar"
    assert Update.de_json({"update_id": 1, "message": sent["message"]}, bot).message.text == "/start abc"

    # Updates stay queued until confirmed with a higher offset.
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [update.update_id]
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()


async def test_empty_long_poll_times_out(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 2


async def test_second_poller_terminates_the_first(emu: RunningEmulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with Bot(TOKEN, base_url=emu.api_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict):
        await first


async def test_message_ids_are_shared_by_user_and_bot(bot: Bot, client: EmulatorClient) -> None:
    first = await client.send_text(USER, "hallo")
    reply = await bot.send_message(USER, "Hoi!", reply_to_message_id=first["message"]["message_id"])
    second = await client.send_text(USER, "dank je")
    assert [first["message"]["message_id"], reply.message_id, second["message"]["message_id"]] == [1, 2, 3]
    assert reply.reply_to_message.text == "hallo"
    assert_known_fields(reply)
    [bot_message] = await client.bot_messages(USER)
    assert bot_message["reply_to_message_id"] == 1


async def test_callback_query_and_answer(bot: Bot, client: EmulatorClient) -> None:
    message = await bot.send_message(USER, "Kies", reply_markup=KEYBOARD)
    pressed = await client.press(USER, message.message_id, "yes")
    [update] = await bot.get_updates(timeout=1)
    assert_known_fields(update)
    query = update.callback_query
    assert query.id == pressed["callback_query_id"]
    assert query.data == "yes" and query.from_user.id == USER
    assert query.message.message_id == message.message_id
    assert query.message.reply_markup == KEYBOARD

    assert await query.answer("Opgeslagen", show_alert=True)
    assert await client.callback_answer(query.id) == {
        "answered": True,
        "text": "Opgeslagen",
        "show_alert": True,
        "url": None,
    }
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await query.answer()
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query("123456")


async def test_forged_callback_data_is_delivered(bot: Bot, client: EmulatorClient) -> None:
    message = await bot.send_message(USER, "Geen knoppen")
    await client.press(USER, message.message_id, "forged:data")
    [update] = await bot.get_updates(timeout=1)
    assert update.callback_query.data == "forged:data"


async def test_edit_message_text_and_reply_markup(bot: Bot, client: EmulatorClient) -> None:
    message = await bot.send_message(USER, "Stap 1", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("<i>Stap 2</i>", USER, message.message_id, parse_mode="HTML", reply_markup=KEYBOARD)
    assert_known_fields(edited)
    assert edited.text == "Stap 2" and edited.edit_date is not None and edited.reply_markup == KEYBOARD
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("<i>Stap 2</i>", USER, message.message_id, parse_mode="HTML", reply_markup=KEYBOARD)

    # Same text but different formatting is a change.
    await bot.edit_message_text("Stap 2", USER, message.message_id, reply_markup=KEYBOARD)
    # Like Telegram, editing the text without reply_markup removes the keyboard.
    edited = await bot.edit_message_text("Stap 3", USER, message.message_id)
    assert edited.reply_markup is None

    edited = await bot.edit_message_reply_markup(USER, message.message_id, reply_markup=KEYBOARD)
    assert edited.reply_markup == KEYBOARD
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_reply_markup(USER, message.message_id, reply_markup=KEYBOARD)
    edited = await bot.edit_message_reply_markup(USER, message.message_id)
    assert edited.reply_markup is None

    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", USER, 999)
    user_message = await client.send_text(USER, "mijn bericht")
    with pytest.raises(BadRequest, match="(?i)message can't be edited"):
        await bot.edit_message_text("x", USER, user_message["message"]["message_id"])

    [stored] = await client.bot_messages(USER)
    assert stored["edit_count"] == 5 and stored["text"] == "Stap 3"


async def test_delete_message(bot: Bot, client: EmulatorClient) -> None:
    message = await bot.send_message(USER, "weg ermee")
    assert await bot.delete_message(USER, message.message_id)
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(USER, message.message_id)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", USER, message.message_id)
    [stored] = await client.messages(USER)
    assert stored["deleted"] is True


# --------------------------------------------------------------------------- Telegram's errors


async def test_length_limits_count_visible_text(bot: Bot, client: EmulatorClient) -> None:
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(USER, "a" * 4097)
    await bot.send_message(USER, "a" * 4096)
    await bot.send_message(USER, "<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await bot.send_photo(USER, PNG, caption="c" * 1025)
    assert len(await client.messages(USER)) == 2


@pytest.mark.parametrize("text", ["", "   \n "])
async def test_empty_text(bot: Bot, client: EmulatorClient, text: str) -> None:
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(USER, text)


@pytest.mark.parametrize("html", ["<b>open", "<div>x</div>", "Q & A", "<b><i>x</b></i>"])
async def test_broken_html_is_rejected(bot: Bot, client: EmulatorClient, html: str) -> None:
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(USER, html, parse_mode="HTML")
    await bot.send_message(USER, html)  # without parse_mode the same text is fine
    assert len(await client.messages(USER)) == 1


async def test_invalid_buttons_are_rejected(bot: Bot) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "x", reply_markup=too_long)
    with pytest.raises(BadRequest, match="(?i)text buttons are unallowed"):
        await bot.send_message(USER, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x")]]))


async def test_reply_keyboards_are_accepted_but_not_echoed(bot: Bot, client: EmulatorClient) -> None:
    message = await bot.send_message(USER, "Taal?", reply_markup=ReplyKeyboardMarkup([["NL", "EN"]]))
    assert message.reply_markup is None
    await bot.send_message(USER, "Naam?", reply_markup=ForceReply())
    first, second = await client.bot_messages(USER)
    assert first["reply_markup"]["keyboard"] == [[{"text": "NL"}, {"text": "EN"}]]
    assert second["reply_markup"]["force_reply"] is True


async def test_unknown_chat(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(987654, "hallo")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message("@someone", "hallo")


async def test_blocked_user(bot: Bot, client: EmulatorClient) -> None:
    message = await bot.send_message(USER, "eerste")
    await client.block(USER)
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(USER, "tweede")
    with pytest.raises(Forbidden):
        await bot.edit_message_text("bewerkt", USER, message.message_id)
    with pytest.raises(Forbidden):
        await bot.send_document(USER, b"data", filename="a.txt")
    assert (await client.stats())["rejected_403"] == 3
    await client.unblock(USER)
    await bot.send_message(USER, "weer terug")
    await client.block(USER)
    await client.send_text(USER, "/start")  # writing to the bot unblocks it
    await bot.send_message(USER, "welkom terug")
    assert [m["text"] for m in await client.bot_messages(USER)] == ["eerste", "weer terug", "welkom terug"]


# --------------------------------------------------------------------------- rate limits


async def test_per_chat_rate_limit() -> None:
    async with running_emulator() as emu, EmulatorClient(emu.control_url) as client:
        await client.register_user(1, "A")
        await client.register_user(2, "B")
        async with Bot(TOKEN, base_url=emu.api_url) as bot:
            await bot.send_message(1, "een")
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(1, "twee")
            assert retry_seconds(info.value) >= 1
            await bot.send_message(2, "andere chat gaat wel")
            assert [m["text"] for m in await client.messages(1)] == ["een"]
            assert (await client.stats())["rejected_429"] == 1

            # The raw answer carries a whole number of seconds, like Telegram.
            async with httpx.AsyncClient() as http:
                raw = (await http.post(f"{emu.api_url}{TOKEN}/sendMessage", data={"chat_id": 1, "text": "x"})).json()
            assert raw["error_code"] == 429 and raw["parameters"]["retry_after"] >= 1
            assert raw["description"].startswith("Too Many Requests: retry after")

            # Two a second: the four sends must not refill the bucket even on a busy machine
            # (at 20 a second a token came back every 50 ms, and a slow run got no 429).
            await client.set_limits(chat_rate=2, chat_burst=3)
            for _ in range(3):
                await bot.send_message(1, "burst")
            with pytest.raises(RetryAfter):
                await bot.send_message(1, "te veel")
            await asyncio.sleep(0.55)
            await bot.send_message(1, "weer ruimte")


async def test_global_rate_limit() -> None:
    async with running_emulator(global_rate=3, chat_rate=100, chat_burst=100) as emu:
        async with EmulatorClient(emu.control_url) as client, Bot(TOKEN, base_url=emu.api_url) as bot:
            for user_id in range(1, 5):
                await client.register_user(user_id)
            for user_id in range(1, 4):
                await bot.send_photo(user_id, PNG)
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(4, "vierde")
            assert retry_seconds(info.value) >= 1
            await client.set_limits(enabled=False)
            await bot.send_message(4, "zonder limieten")


# --------------------------------------------------------------------------- files


async def test_upload_and_download_files(bot: Bot, client: EmulatorClient) -> None:
    document = await bot.send_document(
        USER, b"%PDF-1.4 brief", filename="brief.pdf", caption="<b>Uw brief</b>", parse_mode="HTML"
    )
    photo = await bot.send_photo(USER, PNG, caption="foto")
    voice = await bot.send_voice(USER, b"OggS voice", duration=3)
    for message in (document, photo, voice):
        assert_known_fields(message)
    assert document.document.file_name == "brief.pdf"
    assert document.document.mime_type == "application/pdf"
    assert document.caption == "Uw brief" and document.caption_entities[0].type == "bold"
    assert (photo.photo[-1].width, photo.photo[-1].height) == (1, 1)
    assert voice.voice.duration == 3

    for file_id, content in (
        (document.document.file_id, b"%PDF-1.4 brief"),
        (photo.photo[-1].file_id, PNG),
        (voice.voice.file_id, b"OggS voice"),
    ):
        telegram_file = await bot.get_file(file_id)
        assert_known_fields(telegram_file)
        assert bytes(await telegram_file.download_as_bytearray()) == content
        assert await client.file_bytes(file_id) == content

    again = await bot.send_document(USER, document.document.file_id)
    assert again.document.file_id == document.document.file_id
    with pytest.raises(BadRequest, match="(?i)can't use file of type Document as Photo"):
        await bot.send_photo(USER, document.document.file_id)
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_document(USER, "no-such-file-id")
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await bot.get_file("no-such-file-id")

    kinds = [(m["kind"], m["file_name"]) for m in await client.bot_messages(USER)]
    assert kinds == [("document", "brief.pdf"), ("photo", None), ("voice", None), ("document", "brief.pdf")]


async def test_user_media_updates_parse(bot: Bot, client: EmulatorClient) -> None:
    await client.send_sticker(USER)
    await client.send_photo(USER, PNG, caption="mijn paspoort")
    await client.send_document(USER, b"scan", "scan.pdf", "application/pdf")
    await client.send_voice(USER, b"OggS")
    sticker, photo, document, voice = (u.message for u in await bot.get_updates(timeout=1))
    for message in (sticker, photo, document, voice):
        assert_known_fields(message)
    assert sticker.sticker.emoji
    assert photo.caption == "mijn paspoort"
    assert bytes(await (await photo.photo[-1].get_file()).download_as_bytearray()) == PNG
    assert document.document.file_name == "scan.pdf"
    assert voice.voice.mime_type == "audio/ogg"
    assert [m["kind"] for m in await client.messages(USER)] == ["sticker", "photo", "document", "voice"]


async def test_other_update_types_parse(bot: Bot, client: EmulatorClient) -> None:
    """Everything a bad-input test sends: PTB reads each update as the real Telegram's."""
    first = await client.send_text(USER, "hello")
    await client.send_video_note(USER, b"mp4")
    await client.send_animation(USER, b"gif")
    for kind in ("location", "contact", "dice", "poll"):
        await client.send_attachment(USER, kind)
    await client.edit_message(USER, first["message"]["message_id"], "/delete")
    await client.send_group_message(USER, -100, "/help", chat_type="supergroup")
    await client.send_channel_post(-200, "news")
    await client.my_chat_member(USER, new="kicked")
    await client.my_chat_member(USER, old="left", new="administrator", chat_id=-300, chat_type="channel")
    await client.inline_query(USER, "woning")
    updates = await bot.get_updates(timeout=1)
    for update in updates:
        assert_known_fields(update)
    (_, video_note, animation, location, contact, dice, poll, edited, group, channel, blocked, added, inline) = updates
    assert video_note.message.video_note.length and animation.message.animation.width
    assert location.message.location.latitude and contact.message.contact.phone_number
    assert dice.message.dice.value and poll.message.poll.options
    assert edited.edited_message.text == "/delete" and edited.edited_message.edit_date
    assert group.message.chat.type == "supergroup" and group.message.text == "/help"
    assert channel.channel_post.chat.type == "channel"
    assert blocked.my_chat_member.new_chat_member.status == "kicked"
    assert added.my_chat_member.new_chat_member.status == "administrator"
    assert inline.inline_query.query == "woning"
    assert await bot.leave_chat(-300)
    assert await client.left_chats() == [-300]
    with pytest.raises(BadRequest):
        await bot.leave_chat(USER)


# --------------------------------------------------------------------------- faults


async def test_fault_injection(bot: Bot, client: EmulatorClient) -> None:
    await client.inject_fault("sendMessage", status=502, count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(USER, "poging")
    await bot.send_message(USER, "gelukt")

    await client.inject_fault("sendmessage", status=500)
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "poging")

    await client.inject_fault("sendMessage", drop=True)
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "verbinding weg")

    await client.inject_fault("*", status=429, retry_after=2)
    with pytest.raises(RetryAfter):
        await bot.get_me()

    assert [m["text"] for m in await client.messages(USER)] == ["gelukt"]
    stats = await client.stats()
    assert stats["faults_injected"] == 5 and stats["method_calls"]["sendMessage"] == 5


# --------------------------------------------------------------------------- other methods


async def test_other_methods(bot: Bot, client: EmulatorClient) -> None:
    assert await bot.send_chat_action(USER, "typing")
    with pytest.raises(BadRequest):
        await bot.send_chat_action(USER, "dancing")
    assert await client.chat_actions(USER) == ["typing"]

    commands = [BotCommand("start", "Begin"), BotCommand("help", "Hulp")]
    assert await bot.set_my_commands(commands, language_code="nl")
    assert await bot.get_my_commands(language_code="nl") == tuple(commands)
    assert await bot.get_my_commands() == ()
    assert (await client.commands())[0]["language_code"] == "nl"
    assert await bot.delete_my_commands(language_code="nl")
    assert await bot.get_my_commands(language_code="nl") == ()

    info = await bot.get_webhook_info()
    assert_known_fields(info)
    assert info.url == ""
    assert await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict):
        await bot.get_updates()
    assert await bot.delete_webhook()

    original = await bot.send_message(USER, "<u>origineel</u>", parse_mode="HTML")
    copied = await bot.copy_message(USER, USER, original.message_id)
    forwarded = await bot.forward_message(USER, USER, original.message_id)
    assert_known_fields(forwarded)
    assert forwarded.forward_origin.sender_user.is_bot
    assert forwarded.text == "origineel"
    texts = [(m["message_id"], m["text"], m["forwarded"]) for m in await client.messages(USER)]
    assert texts == [(1, "origineel", False), (copied.message_id, "origineel", False), (3, "origineel", True)]
    with pytest.raises(BadRequest, match="(?i)message to copy not found"):
        await bot.copy_message(USER, USER, 99)

    previewless = await bot.send_message(USER, "https://ind.nl", link_preview_options=LinkPreviewOptions(is_disabled=True))
    assert_known_fields(previewless)
    assert previewless.link_preview_options.is_disabled
    protected = await bot.send_message(USER, "geheim", protect_content=True)
    assert protected.has_protected_content
    with pytest.raises(BadRequest, match="(?i)protected content"):
        await bot.forward_message(USER, USER, protected.message_id)

    assert await bot.log_out() and await bot.close()


async def test_bulk_registration(bot: Bot, client: EmulatorClient) -> None:
    users = [{"user_id": 10_000 + i, "first_name": f"U{i}", "language_code": "uk"} for i in range(500)]
    registered = await client.register_users(users)
    assert len(registered) == 500 and registered[0]["language_code"] == "uk"
    message = await bot.send_message(10_499, "hallo")
    assert message.chat.first_name == "U499"


async def test_raw_requests_json_form_query_and_unknown_method(emu: RunningEmulator, client: EmulatorClient) -> None:
    url = f"{emu.api_url}{TOKEN}"
    async with httpx.AsyncClient() as http:
        by_json = (await http.post(f"{url}/sendmessage", json={"chat_id": USER, "text": "json"})).json()
        by_form = (await http.post(f"{url}/SENDMESSAGE", data={"chat_id": str(USER), "text": "form"})).json()
        by_query = (await http.get(f"{url}/sendMessage", params={"chat_id": USER, "text": "query"})).json()
        unknown = await http.get(f"{url}/sendRocket")
        me = (await http.get(f"{emu.api_url}not-a-token/getMe")).json()
    assert by_json["ok"] and by_form["ok"] and by_query["ok"]
    for raw in (by_json, by_form, by_query):
        assert_known_fields(Message.de_json(raw["result"], None))
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert me["result"]["id"] == 1000001 and me["result"]["username"] == "wegwijs_bot"


async def test_control_api_errors_and_reset(bot: Bot, client: EmulatorClient) -> None:
    with pytest.raises(ControlAPIError, match="404"):
        await client.messages(31337)
    with pytest.raises(ControlAPIError, match="404"):
        await client.press(USER, 99, "x")
    with pytest.raises(ValueError):
        await client.wait_for_bot_messages(USER)
    await client.send_text(USER, "hallo")
    with pytest.raises(AssertionError, match="#1 user text: 'hallo'"):
        await client.wait_for_bot_messages(USER, timeout=0.1)
    [update] = await bot.get_updates(timeout=0)
    await client.reset()
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(USER, "na reset")
    # Update ids keep growing across a reset, so a poller's offset stays valid.
    sent = await client.send_text(USER, "opnieuw")
    assert sent["update_id"] > update.update_id
    assert sent["message"]["message_id"] == 1


# --------------------------------------------------------------------------- PTB application


async def test_ptb_application_polls_the_emulator() -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        payload = " ".join(context.args)
        await update.message.reply_html(f"<b>Welkom</b> ({payload})", reply_markup=KEYBOARD)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("ok")
        await update.callback_query.edit_message_text(f"Gekozen: {update.callback_query.data}")

    async with running_emulator() as emu, EmulatorClient(emu.control_url) as client:
        application = (
            Application.builder().token(TOKEN).base_url(emu.api_url).base_file_url(emu.file_url).build()
        )
        application.add_handler(CommandHandler("start", start))
        application.add_handler(CallbackQueryHandler(button))
        async with application:
            await application.start()
            await application.updater.start_polling(poll_interval=0, timeout=2)
            await client.send_text(USER, "/start gemeente")
            [welcome] = await client.wait_for_bot_messages(USER)
            assert welcome["text"] == "Welkom (gemeente)"
            pressed = await client.press(USER, welcome["message_id"], "no")
            for _ in range(100):
                if (await client.messages(USER))[-1]["edit_count"]:
                    break
                await asyncio.sleep(0.02)
            assert (await client.messages(USER))[-1]["text"] == "Gekozen: no"
            assert (await client.callback_answer(pressed["callback_query_id"]))["text"] == "ok"
            await application.updater.stop()
            await application.stop()
