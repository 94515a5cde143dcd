"""Recordings for people who read little: sent as a voice message with the text."""

from __future__ import annotations

from pathlib import Path

from bot.texts.content import load_content
from bot.texts.render import Renderer
from tests.content_fixture import fixture_content, onboard
from tests.harness import bot_under_test
from tests.oggopus import silent_ogg_opus


async def test_an_item_with_a_recording_comes_with_a_voice_message(tmp_path: Path) -> None:
    root = fixture_content(tmp_path)
    recording = silent_ogg_opus()
    (root / "ar/audio").mkdir()
    (root / "ar/audio/woning.ogg").write_bytes(recording)
    (root / "ar/audio/stap-aankomst.ogg").write_bytes(b"not a recording")  # the check refuses it; the bot skips it
    renderer = Renderer(load_content(root))
    async with bot_under_test(tmp_path / "wegwijs.db", content_dir=root) as bot:
        amal, reza = bot.person(901), bot.person(902)
        card = await onboard(amal, renderer, "ar", step_number=1)
        assert [m["kind"] for m in card] == ["text"]
        shown = await amal.press(renderer.title("ar", "woning"))
        assert [m["kind"] for m in shown] == ["text", "voice"]
        assert renderer.title("ar", "woning") in shown[0]["html"]
        assert shown[1]["mime_type"] == "audio/ogg"
        assert await amal.client.file_bytes(shown[1]["file_id"]) == recording

        await onboard(reza, renderer, "fa", step_number=1)
        shown = await reza.press(renderer.title("fa", "woning"))
        assert [m["kind"] for m in shown] == ["text"]  # no Farsi recording
