"""Generated product placeholder pictures: the product's name on a colour taken from its code.

The same picture comes as SVG (small, sharp in browsers) and as PNG (drawn with Pillow), which
chat apps such as Telegram can show as a photo where they cannot show SVG.
"""

import hashlib
import html
import io
from functools import lru_cache

WIDTH, HEIGHT = 320, 240
PNG_SCALE = 2  # the PNG is drawn at 640x480, sharp on phones
MAX_LINES = 3
LINE_CHARS = 18


def _hue(seed: str) -> int:
    return int(hashlib.sha256(seed.encode()).hexdigest()[:4], 16) % 360


def _lines(name: str) -> list[str]:
    """`name` wrapped at about LINE_CHARS characters, on up to MAX_LINES lines."""
    lines, line = [], ""
    for word in name.split():
        if line and len(line) + 1 + len(word) > LINE_CHARS:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return lines[:MAX_LINES]


def placeholder_svg(name: str, seed: str) -> str:
    """An SVG of 320x240 with `name` wrapped on up to three lines."""
    hue = _hue(seed)
    lines = _lines(name)
    first_y = 120 - (len(lines) - 1) * 15
    text = "".join(
        f'<text x="160" y="{first_y + index * 30}">{html.escape(part)}</text>' for index, part in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="hsl({hue},55%,88%)"/>'
        f'<circle cx="160" cy="120" r="95" fill="hsl({hue},50%,78%)"/>'
        f'<g font-family="sans-serif" font-size="22" text-anchor="middle" dominant-baseline="middle" '
        f'fill="hsl({hue},45%,25%)">{text}</g></svg>'
    )


@lru_cache(maxsize=512)
def placeholder_png(name: str, seed: str) -> bytes:
    """The same picture as `placeholder_svg`, as a PNG of 640x480 (cached: it is deterministic)."""
    from PIL import Image, ImageDraw, ImageFont  # only the picture routes need Pillow

    scale = PNG_SCALE
    hue = _hue(seed)
    image = Image.new("RGB", (WIDTH * scale, HEIGHT * scale), f"hsl({hue},55%,88%)")
    draw = ImageDraw.Draw(image)
    cx, cy, radius = 160 * scale, 120 * scale, 95 * scale
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=f"hsl({hue},50%,78%)")
    font = ImageFont.load_default(size=22 * scale)
    lines = _lines(name)
    first_y = (120 - (len(lines) - 1) * 15) * scale
    for index, part in enumerate(lines):
        draw.text((cx, first_y + index * 30 * scale), part, fill=f"hsl({hue},45%,25%)", font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
