"""A tiny Ogg/Opus file made here, for tests: one second of silence.

Written from the Ogg (RFC 3533) and Ogg Opus (RFC 7845) layouts, independently
of ``bot.texts.audio``, so the bot's check is tested against a file it did not make.
"""

from __future__ import annotations

import struct

SILENT_FRAME = b"\xf8\xff\xfe"  # one 20 ms CELT frame of silence, mono
FRAMES_PER_SECOND = 50
SAMPLES_PER_FRAME = 960  # 20 ms at 48 kHz
PRE_SKIP = 312


def _crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def _page(packets: list[bytes], header_type: int, granule: int, sequence: int, serial: int = 0x5745) -> bytes:
    lacing = b"".join(bytes([255] * (len(p) // 255) + [len(p) % 255]) for p in packets)
    header = struct.pack("<4sBBqIIIB", b"OggS", 0, header_type, granule, serial, sequence, 0, len(lacing))
    page = header + lacing + b"".join(packets)
    return page[:22] + struct.pack("<I", _crc(page)) + page[26:]


def silent_ogg_opus(seconds: int = 1) -> bytes:
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, PRE_SKIP, 48000, 0, 0)
    vendor = b"wegwijs-tests"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    frames = [SILENT_FRAME] * (FRAMES_PER_SECOND * seconds)
    granule = PRE_SKIP + SAMPLES_PER_FRAME * len(frames)
    return _page([head], 0x02, 0, 0) + _page([tags], 0x00, 0, 1) + _page(frames, 0x04, granule, 2)
