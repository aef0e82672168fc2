"""Headless Debian chromium driven by playwright, for tests of the HTML pages.

Playwright's own browser downloads are never used: the browser is /usr/bin/chromium (``make test``
installs it when missing). Each page is watched for console errors, uncaught exceptions, dialogs
and every request it makes; requests that are not ``file://`` are aborted and recorded.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Playwright starts the browser with a fresh temporary --user-data-dir of its own.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright):
    """The chromium browser, or a skip with the reason it cannot run."""
    if not CHROMIUM.exists():
        pytest.skip(f"no browser at {CHROMIUM}: 'make test' installs Debian's chromium (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)


@dataclass
class Watch:
    """What a page did: console errors, page errors, dialogs, and requests by URL."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def open_page(browser, path: Path, *, width: int = 1280, height: int = 800, ready: bool = True):
    """Open ``path`` from file:// in a new page; return (page, watch) once the map is ready."""
    page = browser.new_page(viewport={"width": width, "height": height})
    watch = Watch()
    page.on("console", lambda m: watch.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(f"page error: {e}"))

    def on_dialog(dialog) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda r: watch.requests.append(r.url))

    def route(r) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            watch.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.resolve().as_uri())
    if ready:
        page.wait_for_selector("body[data-state=ready]", timeout=60_000)
    return page, watch


def painted_pixels(frame, selector: str = "#ikg-map canvas") -> int:
    """How many pixels of the canvas are painted (not transparent and not white)."""
    return frame.evaluate(
        """(sel) => {
            const c = document.querySelector(sel);
            if (!c) return -1;
            const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) {
              if (d[i + 3] > 0 && !(d[i] > 245 && d[i + 1] > 245 && d[i + 2] > 245)) n++;
            }
            return n;
        }""",
        selector,
    )


def screenshot_stats(browser, png: bytes) -> tuple[int, int]:
    """Decode a PNG screenshot in a blank page; return (distinct colours, non-white pixels)."""
    page = browser.new_page()
    try:
        return tuple(page.evaluate(
            """async (b64) => {
                const img = new Image();
                img.src = "data:image/png;base64," + b64;
                await img.decode();
                const c = document.createElement("canvas");
                c.width = img.width; c.height = img.height;
                const ctx = c.getContext("2d");
                ctx.drawImage(img, 0, 0);
                const d = ctx.getImageData(0, 0, c.width, c.height).data;
                const colours = new Set();
                let nonWhite = 0;
                for (let i = 0; i < d.length; i += 4) {
                  colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
                  if (!(d[i] === 255 && d[i + 1] === 255 && d[i + 2] === 255)) nonWhite++;
                }
                return [colours.size, nonWhite];
            }""",
            base64.b64encode(png).decode("ascii"),
        ))
    finally:
        page.close()
