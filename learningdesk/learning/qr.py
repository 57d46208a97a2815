"""QR codes of the public learning pages, as SVG: for the pages themselves, posters and stall banners."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, *, scale: int = 8, title: str = "") -> bytes:
    """A standalone SVG document (for an image URL). Error correction "M": survives a creased poster."""
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=scale, border=4, xmldecl=True, svgns=True, title=title or None)
    return buffer.getvalue()


def qr_svg_inline(url: str, *, size_mm: int = 60) -> str:
    """An <svg> element to put in a page or a PDF, drawn `size_mm` millimetres wide (it scales cleanly)."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=4, svgclass="qr", lineclass=None, omitsize=True)
    return svg.replace("<svg ", f'<svg width="{size_mm}mm" height="{size_mm}mm" role="img" aria-label="QR code" ', 1)
