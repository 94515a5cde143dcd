"""Voice recordings of texts, for people who read little.

A recording lives next to the texts of its language:
``content/<lang>/audio/<id>.ogg``. Telegram plays only Ogg/Opus as a voice
message, so a file is used only when its first Ogg page is intact (checksum)
and announces an Opus stream.
"""

from __future__ import annotations

import struct
from pathlib import Path

from bot.texts.content import Content

OGG_CAPTURE = b"OggS"
OPUS_HEAD = b"OpusHead"
_FIRST_PAGE = 0x02
_HEADER = struct.Struct("<4sBBqIIIB")  # capture, version, type, granule, serial, sequence, crc, segments


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_CRC_TABLE = _crc_table()


def ogg_crc(page: bytes) -> int:
    """The checksum of an Ogg page (computed with its checksum field set to zero)."""
    crc = 0
    for byte in page:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC_TABLE[(crc >> 24) ^ byte]
    return crc


def is_ogg_opus(data: bytes) -> bool:
    """Whether ``data`` starts with an intact Ogg page that opens an Opus stream."""
    if len(data) < _HEADER.size:
        return False
    capture, version, kind, _, _, _, crc, segments = _HEADER.unpack_from(data)
    if capture != OGG_CAPTURE or version != 0 or not kind & _FIRST_PAGE:
        return False
    table_end = _HEADER.size + segments
    page_end = table_end + sum(data[_HEADER.size : table_end])
    if len(data) < page_end:
        return False
    page = data[:22] + b"\0\0\0\0" + data[26:page_end]
    packet = data[table_end:page_end]
    return ogg_crc(page) == crc and packet.startswith(OPUS_HEAD) and len(packet) >= 19 and packet[8] < 16


def voice_file(content: Content, lang: str, item_id: str) -> Path | None:
    """The recording of a text in this language, if there is a usable one."""
    path = content.root / lang / "audio" / f"{item_id}.ogg"
    try:
        with path.open("rb") as file:
            head = file.read(_HEADER.size + 255 + 255 * 255)
    except OSError:
        return None
    return path if is_ogg_opus(head) else None
