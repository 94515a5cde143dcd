"""The two-pane demo's own page and its clock, over HTTP (the browser tests show the rest)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.demo.terminal import DEMO_KM
# The demo runs the web chat on the core's conversation.handle (h15in's branch); until that is
# merged here, these tests skip and say so.
pytest.importorskip("bot.conversation", reason="bot.conversation (h15in-core) is not merged into this tree yet")

from bot.demo.web import running_web_demo  # noqa: E402


async def test_the_page_shows_both_panes_and_the_clock_moves_forward(tmp_path: Path) -> None:
    async with running_web_demo(db_path=tmp_path / "demo.db") as demo, aiohttp.ClientSession() as http:
        async with http.get(f"{demo.url}/?lang=fa") as response:
            page = await response.text()
        assert 'dir="rtl"' in page and 'lang="fa"' in page
        assert f'src="{demo.person_base}/start?code={demo.invite_code}"' in page  # the invitation's link
        assert f"{demo.emulator.base_url}/_web/chat/{DEMO_KM}?placeholder=" in page  # Kim's Telegram
        assert "http" not in page.replace(demo.person_base, "").replace(demo.emulator.base_url, "")  # no CDN

        before = demo.clock.now()
        async with http.post(f"{demo.url}/clock", json={"hours": 24}) as response:
            assert response.status == 200
            assert (await response.json())["label"]
        assert demo.clock.now() - before >= timedelta(hours=24)

        for body in ({"hours": -1}, {"hours": 0}, {"hours": "soon"}, {}, {"hours": 10**9}):
            async with http.post(f"{demo.url}/clock", json=body) as response:
                assert response.status == 400, body
        async with http.post(f"{demo.url}/clock", data=b"not json") as response:
            assert response.status == 400
        assert demo.clock.now() - before < timedelta(hours=25)  # refused presses moved nothing
        async with http.get(f"{demo.url}/?lang=xx") as response:  # an unknown language: English
            assert 'lang="en"' in await response.text()
