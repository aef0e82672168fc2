"""Headless Debian chromium driven by playwright, for tests of the HTML pages.

Playwright's own browser downloads are never used: the browser is /usr/bin/chromium (``make test``
installs it when missing). Each page is watched for console errors, uncaught exceptions, dialogs
and every request it makes; requests that are not ``file://`` are aborted and recorded.

The browser sees no Japanese system font, whatever the machine has (fonts-noto-cjk, say): it runs
with a private fontconfig configuration (``FONTCONFIG_FILE``) that lists only a folder holding the
DejaVu fonts that matplotlib ships. Japanese text is drawn only if a page brings its own font.
"""

from __future__ import annotations

import base64
import functools
import os
import tempfile
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


@functools.cache
def fontconfig_without_japanese() -> Path:
    """A fontconfig configuration whose only fonts are matplotlib's DejaVu fonts (no CJK glyph)."""
    import matplotlib

    folder = Path(tempfile.mkdtemp(prefix="impactkg-fonts-"))
    fonts = folder / "fonts"
    fonts.mkdir()
    for ttf in sorted((Path(matplotlib.get_data_path()) / "fonts" / "ttf").glob("DejaVu*.ttf")):
        (fonts / ttf.name).symlink_to(ttf)
    aliases = "".join(
        f"<alias><family>{generic}</family><prefer><family>{family}</family></prefer></alias>"
        for generic, family in (("sans-serif", "DejaVu Sans"), ("serif", "DejaVu Serif"),
                                ("monospace", "DejaVu Sans Mono"), ("system-ui", "DejaVu Sans"))
    )
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{fonts}</dir><cachedir>{folder / 'cache'}</cachedir>{aliases}</fontconfig>\n",
        encoding="utf-8",
    )
    return config


def launch(playwright):
    """The chromium browser (seeing no Japanese system font), or a skip with the reason it cannot
    run."""
    if not CHROMIUM.exists():
        pytest.skip(f"no browser at {CHROMIUM}: 'make test' installs Debian's chromium (apt-get install chromium)")
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_without_japanese())}
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=env)


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


#: The zoom that fits every shown node of a map page, each measured afresh now (box and label at
#: its current size), with the fit's margin (map-view.js: 0.94).
_FRESH_FIT = """() => { const net = impactkgMap.network, ctx = net.canvas.getContext();
  const ids = net.body.nodeIndices.filter(id => !net.body.nodes[id].options.hidden);
  ids.forEach(id => { const n = net.body.nodes[id]; n.resize(ctx); n.updateBoundingBox(ctx, n.selected); });
  let l = Infinity, r = -Infinity, t = Infinity, b = -Infinity;
  ids.forEach(id => { const x = net.getBoundingBox(id);
    l = Math.min(l, x.left); r = Math.max(r, x.right); t = Math.min(t, x.top); b = Math.max(b, x.bottom); });
  const c = net.canvas.frame.canvas;
  return [Math.min(c.clientWidth / (r - l + 1), c.clientHeight / (b - t + 1)) * 0.94, net.getScale()]; }"""


def fresh_fit(page) -> tuple[float, float]:
    """(the zoom that fits every shown node measured afresh now, the zoom the page chose)."""
    fresh, chosen = page.evaluate(_FRESH_FIT)
    return fresh, chosen


#: Draws two Japanese characters of an element's text with the element's own font and with a
#: font family that does not exist (so the browser falls back to its system fonts), and compares
#: the pixels (alpha channel of a 64 x 64 canvas).
_GLYPHS_JS = """async ([sel, family]) => {
    const el = document.querySelector(sel);
    if (!el) return {error: "no element " + sel};
    const text = [...new Set([...(el.textContent || "")].filter(c => /[\\u3040-\\u30ff\\u4e00-\\u9fff]/.test(c)))];
    if (text.length < 2) return {error: "no Japanese text in " + sel};
    const font = family || getComputedStyle(el).fontFamily;
    const [a, b] = text;
    await document.fonts.load("48px " + font, a + b);
    function draw(ch, f) {
        const c = document.createElement("canvas");
        c.width = c.height = 64;
        const ctx = c.getContext("2d");
        ctx.font = "48px " + f;
        ctx.fillText(ch, 4, 52);
        const d = ctx.getImageData(0, 0, 64, 64).data;
        let s = "";
        for (let i = 3; i < d.length; i += 4) s += d[i] > 127 ? "1" : "0";
        return s;
    }
    const none = "no-such-font-impactkg";
    return {
        font, chars: a + b,
        distinctWithFont: draw(a, font) !== draw(b, font),
        distinctWithout: draw(a, none) !== draw(b, none),
        differsFromFallback: draw(a, font) !== draw(a, none),
        inked: draw(a, font).includes("1"),
    };
}"""


def japanese_glyphs(page, selector: str, family: str | None = None) -> dict:
    """How the page draws the Japanese text of ``selector`` (see :data:`_GLYPHS_JS`): drawn glyphs
    are ``inked``, ``distinctWithFont`` (two characters look different) and ``differsFromFallback``;
    ``distinctWithout`` is False when the browser has no Japanese font of its own (empty boxes
    look alike), which shows that the page's font is what draws them."""
    return page.evaluate(_GLYPHS_JS, [selector, family])


def element_differs_without_its_font(page, selector: str) -> bool:
    """Whether ``selector`` looks different once its font family is replaced by one that does not
    exist (a screenshot of the element before and after)."""
    el = page.locator(selector).first
    before = el.screenshot()
    page.evaluate("(sel) => { document.querySelector(sel).style.fontFamily = 'no-such-font-impactkg'; }", selector)
    after = el.screenshot()
    page.evaluate("(sel) => { document.querySelector(sel).style.fontFamily = ''; }", selector)
    return before != after


SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def screenshot(page, name: str, tmp_path: Path, **options) -> Path:
    """A screenshot for the README: written to ``docs/screenshots/NAME.png`` when
    ``IMPACTKG_SCREENSHOTS=1`` (``make screenshots``), else beside the test's files."""
    folder = SCREENSHOTS if os.environ.get("IMPACTKG_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), **options)
    return path
