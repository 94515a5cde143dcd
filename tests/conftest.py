import pytest

from bot.core.config import DEFAULT_CONTENT_DIR
from bot.texts.content import load_content
from bot.texts.render import Renderer
from tests.harness import bot_under_test


@pytest.fixture
async def bot(tmp_path):
    async with bot_under_test(tmp_path / "wegwijs.db") as harness:
        yield harness


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    return Renderer(load_content(DEFAULT_CONTENT_DIR))
