"""Simulated scans: text PDFs rasterised to image-only PDFs with scanner-like noise.

`cvassist corpus --scan-from SRC --out DIR` turns every PDF of an eval-format directory (what
`cvassist corpus` writes) into a scan with the same ground truth, so `cvassist eval` on both
directories measures what OCR costs in field accuracy. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from parsing.errors import DocumentLoadError
from parsing.readers.render import render_pdf_pages


@dataclass(frozen=True, slots=True)
class Noise:
    """Upper bounds of the degradations; each scan draws its own values below them."""

    rotate_deg: float = 0.8  # skew of a sheet laid slightly crooked on the glass
    blur: float = 0.7  # Gaussian radius in pixels (focus, paper texture)
    salt: float = 0.002  # share of pixels flipped to black or white (dust, toner specks)
    jpeg_quality: int = 45  # lowest JPEG quality the scanner saved with


EPOCH = time.gmtime(946_684_800)  # 2000-01-01
CLEAN = Noise(rotate_deg=0.0, blur=0.0, salt=0.0, jpeg_quality=95)


def degrade(image: Image.Image, rng: random.Random, noise: Noise) -> Image.Image:
    """One page image with skew, blur, specks and JPEG artefacts drawn from `rng`."""
    img = image.convert("L")
    if noise.rotate_deg:
        angle = rng.uniform(-noise.rotate_deg, noise.rotate_deg)
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if noise.blur:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0) * noise.blur))
    if noise.salt:
        arr = np.array(img)
        gen = np.random.default_rng(rng.getrandbits(32))
        mask = gen.random(arr.shape) < rng.uniform(0.5, 1.0) * noise.salt
        arr[mask] = np.where(gen.random(int(mask.sum())) < 0.5, 0, 255).astype(arr.dtype)
        img = Image.fromarray(arr)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=rng.randint(noise.jpeg_quality, 95))
    return Image.open(io.BytesIO(buf.getvalue()))


def scan_pdf(data: bytes, *, seed: int, dpi: int = 200, noise: Noise | None = None) -> bytes:
    """An image-only PDF of the same page size whose pages are noisy rasters of `data`'s."""
    rng = random.Random(seed)
    pages = render_pdf_pages(data, scale=dpi / 72.0, max_pages=50)
    images = [degrade(Image.open(io.BytesIO(p.png)), rng, noise or Noise()) for p in pages]
    if not images:
        raise DocumentLoadError("This PDF has no pages to scan.")
    out = io.BytesIO()
    images[0].save(
        out,
        format="PDF",
        save_all=True,
        append_images=images[1:],
        resolution=dpi,
        creationDate=EPOCH,  # a fixed date keeps the bytes (and their hash) the same per seed
        modDate=EPOCH,
    )
    return out.getvalue()


def scan_corpus(
    src: Path, out: Path, *, seed: int, limit: int = 0, dpi: int = 200
) -> list[dict[str, Any]]:
    """Scan every PDF of the eval directory `src` into `out` with the same index and labels."""
    (out / "docs").mkdir(parents=True, exist_ok=True)
    lines: list[dict[str, Any]] = []
    entries = [json.loads(x) for x in (src / "index.jsonl").read_text("utf-8").splitlines() if x]
    for n, entry in enumerate(entries):
        pdfs = [f for f in entry["files"] if f.lower().endswith(".pdf")]
        if not pdfs:
            continue
        if limit and len(lines) >= limit:
            break
        for rel in pdfs:
            scan = scan_pdf((src / rel).read_bytes(), seed=seed * 100_003 + n, dpi=dpi)
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_bytes(scan)
        gt = entry["gt"]
        if isinstance(gt, str):
            (out / gt).parent.mkdir(parents=True, exist_ok=True)
            (out / gt).write_bytes((src / gt).read_bytes())
        lines.append({**entry, "files": pdfs})
    with (out / "index.jsonl").open("w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return lines


def main(ns: argparse.Namespace) -> int:
    """CLI entry: `cvassist corpus --scan-from SRC --out DIR [--n N] [--seed S]`."""
    src, out = Path(ns.scan_from), Path(ns.out)
    if not (src / "index.jsonl").is_file():
        print(f"cvassist corpus: {src} has no index.jsonl to scan", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        lines = scan_corpus(src, out, seed=ns.seed, limit=ns.n)
    except (OSError, ValueError, KeyError, DocumentLoadError) as e:
        print(f"cvassist corpus: could not scan {src}: {e}", file=sys.stderr)
        return 1
    took = time.perf_counter() - started
    print(f"scanned {len(lines)} CVs from {src} to {out} in {took:.1f}s", file=sys.stderr)
    return 0
