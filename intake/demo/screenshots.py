"""Evidence for demo reports: small PNG images drawn in the process (a chat, a payment receipt), kept
in the evidence store exactly as a citizen's upload is (encrypted, bound to its evidence row) with
the preview the evidence check would make."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageDraw

from intake.clock import MOROCCO
from intake.demo.texts import SCREENSHOT_NAMES
from intake.reports.evidence import EvidenceStore, safe_file_name
from intake.triage.evidence_checks import make_preview

MEDIA_TYPE = "image/png"
WIDTH, HEIGHT = 240, 420
_CHAT_HEADERS = ((7, 94, 84), (0, 132, 255), (42, 171, 238), (225, 48, 108))


@dataclass(frozen=True)
class StoredScreenshot:
    stored_name: str
    preview_name: str
    original_name: str  # as the citizen's phone named it
    size: int
    sha256: str


def draw_screenshot(rng: random.Random) -> bytes:
    """A made-up capture of a conversation or of a transfer receipt: shapes only, no words (nothing
    to translate, nothing that could be a real person's)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (236, 229, 221))
    pen = ImageDraw.Draw(image)
    if rng.random() < 0.7:
        pen.rectangle((0, 0, WIDTH, 44), fill=rng.choice(_CHAT_HEADERS))
        pen.ellipse((8, 8, 36, 36), fill=(220, 220, 220))
        pen.rectangle((46, 16, 46 + rng.randrange(50, 120), 26), fill=(255, 255, 255))
        y = 56
        while y < HEIGHT - 50:
            mine = rng.random() < 0.45
            width, lines = rng.randrange(70, 170), rng.randrange(1, 4)
            left = WIDTH - width - 10 if mine else 10
            bottom = y + 12 + 14 * lines
            pen.rounded_rectangle(
                (left, y, left + width, bottom), 8, fill=(220, 248, 198) if mine else (255, 255, 255)
            )
            for line in range(lines):
                top = y + 8 + 14 * line
                pen.rectangle(
                    (left + 8, top, left + 8 + rng.randrange(30, width - 14), top + 7), fill=(90, 90, 90)
                )
            y = bottom + rng.randrange(8, 20)
    else:
        image.paste((255, 255, 255), (0, 0, WIDTH, HEIGHT))
        pen.rectangle((0, 0, WIDTH, 60), fill=rng.choice(((200, 120, 0), (0, 90, 160), (150, 30, 40))))
        for row in range(8):
            top = 80 + row * 36
            pen.rectangle((14, top, 14 + rng.randrange(50, 90), top + 8), fill=(150, 150, 150))
            pen.rectangle((WIDTH - 14 - rng.randrange(40, 100), top, WIDTH - 14, top + 8), fill=(40, 40, 40))
        pen.ellipse((WIDTH - 90, HEIGHT - 100, WIDTH - 20, HEIGHT - 30), outline=(0, 140, 70), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def screenshot_name(rng: random.Random, taken: datetime) -> str:
    local = taken.astimezone(MOROCCO)
    pattern = rng.choice(SCREENSHOT_NAMES)
    return safe_file_name(
        pattern.format(date=local.strftime("%Y-%m-%d"), time=local.strftime("%H.%M.%S")), MEDIA_TYPE
    )


def store_screenshot(
    store: EvidenceStore, owner: str, rng: random.Random, taken: datetime
) -> StoredScreenshot:
    """The original and its preview, both encrypted and bound to the evidence row `owner` (its seal_id);
    the size and SHA-256 are the original's, as the store computed them while writing it."""
    data = draw_screenshot(rng)
    original = store.save(io.BytesIO(data), owner)
    try:
        preview = store.save(io.BytesIO(make_preview(data, MEDIA_TYPE)), owner)
    except BaseException:
        store.delete(original.stored_name)
        raise
    return StoredScreenshot(
        original.stored_name, preview.stored_name, screenshot_name(rng, taken), original.size, original.sha256
    )
