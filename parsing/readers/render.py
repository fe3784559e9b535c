"""PDF pages to PNG images, in the coordinates the PDF reader's boxes use (cropbox, top-left).

The review page draws each value's `Source.bbox` (PDF points) on these images: pixel = point *
scale. This sits beside the PDF reader because it is the only other place pypdfium2 is imported.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from parsing.errors import DocumentLoadError

MAX_SCALE = 4.0  # 288 dpi: beyond this a page image is megabytes for no visible gain
RENDER_ERROR = "The pages of this PDF could not be drawn; the extracted values are still shown."


@dataclass(frozen=True, slots=True)
class PageImage:
    """One rendered page: PNG bytes, size in pixels, and the points-to-pixels scale."""

    number: int  # 1-based, like Source.page
    png: bytes
    width: int
    height: int
    scale: float


def render_pdf_pages(data: bytes, *, scale: float = 1.5, max_pages: int = 20) -> list[PageImage]:
    """Render the first `max_pages` pages of a PDF; raises DocumentLoadError when it cannot."""
    import pypdfium2 as pdfium

    scale = max(0.1, min(scale, MAX_SCALE))
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise DocumentLoadError(RENDER_ERROR) from e
    try:
        out: list[PageImage] = []
        for n in range(min(len(pdf), max_pages)):
            page = pdf[n]
            try:
                image = page.render(scale=scale).to_pil()
            except pdfium.PdfiumError as e:
                raise DocumentLoadError(RENDER_ERROR) from e
            finally:
                page.close()
            buf = io.BytesIO()
            image.save(buf, format="PNG", optimize=False)
            out.append(PageImage(n + 1, buf.getvalue(), image.width, image.height, scale))
        return out
    finally:
        pdf.close()
