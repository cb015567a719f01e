"""Draws SealBid's icon: a red square seal (印章) with 密封 in white, as seals are cut.

    .venv/bin/python installer/make_icon.py

Writes ``ui/icons/sealbid.png`` (256 px, the window icon) and ``installer/sealbid.ico``
(16–256 px, the executable's and the installer's icon). Both are committed; run this again
only to change the design. Needs a CJK font (WenQuanYi Zen Hei; ``SEALBID_FONT_DIR`` or
Debian's fonts-wqy-zenhei).
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
RED = (200, 16, 46, 255)
SIZE = 1024


def font_path() -> Path:
    for d in (os.environ.get("SEALBID_FONT_DIR", ""), "/usr/share/fonts/truetype/wqy"):
        if d and (Path(d) / "wqy-zenhei.ttc").is_file():
            return Path(d) / "wqy-zenhei.ttc"
    raise SystemExit("make_icon: wqy-zenhei.ttc not found (fonts-wqy-zenhei or SEALBID_FONT_DIR)")


def draw() -> Image.Image:
    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    pad, radius = 40, 150
    d.rounded_rectangle((pad, pad, SIZE - pad, SIZE - pad), radius=radius, fill=RED)
    inner = 110
    d.rounded_rectangle(
        (inner, inner, SIZE - inner, SIZE - inner), radius=70, outline="white", width=34
    )
    font = ImageFont.truetype(str(font_path()), 330)
    # Two characters stacked, read top to bottom as on a seal.
    for i, ch in enumerate("密封"):
        box = d.textbbox((0, 0), ch, font=font)
        w, h = box[2] - box[0], box[3] - box[1]
        cy = SIZE / 2 + (i - 0.5) * 360
        d.text((SIZE / 2 - w / 2 - box[0], cy - h / 2 - box[1]), ch, font=font, fill="white")
    return img


def main() -> None:
    img = draw()
    png = ROOT / "ui" / "icons" / "sealbid.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    img.resize((256, 256), Image.Resampling.LANCZOS).save(png, optimize=True)
    ico = ROOT / "installer" / "sealbid.ico"
    img.save(ico, sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print(f"wrote {png} and {ico}")


if __name__ == "__main__":
    main()
