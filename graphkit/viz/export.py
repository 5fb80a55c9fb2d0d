"""Images of a view (PNG, SVG), drawn by a headless browser.

A :class:`~graphkit.viz.View` is drawn by vis-network in a browser; the image is that same
drawing, so it is made the same way: the page is opened in headless Chromium (through the
``playwright`` package), laid out and fitted to a window of the requested size, and then

* PNG: the canvas as the page's "save PNG" button gives it (``canvas.toDataURL``), at
  ``scale`` device pixels per CSS pixel;
* SVG: the page's "save SVG" drawing: every shown edge and node, the labels drawn at the
  default zoom, text set as text (escaped by the browser's XML serializer).

The browser is not a dependency of graphkit. Without it :class:`BrowserUnavailable` says
in one line what is missing. Chromium is looked up as ``$GRAPHKIT_CHROMIUM``, then
``chromium``, ``chromium-browser``, ``google-chrome``, ``google-chrome-stable`` on the
``PATH``, then Playwright's own download (``playwright install chromium``). The page is
opened from a temporary file with every network request refused.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import GraphkitError
from ..io import atomic_open, write_text

__all__ = ["save_image", "find_chromium", "check_browser", "BrowserUnavailable", "IMAGE_FORMATS"]

#: File extensions :func:`save_image` writes.
IMAGE_FORMATS = (".png", ".svg")
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class BrowserUnavailable(GraphkitError, RuntimeError):
    """No headless browser to draw an image with (the message says what is missing)."""


def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BrowserUnavailable(
            "writing a PNG or SVG image needs a headless browser: the Python package "
            "'playwright' is not installed (pip install playwright), or write .html"
        ) from None
    return sync_playwright


def find_chromium() -> str | None:
    """Path of a Chromium or Chrome executable on this machine, or None (Playwright's own
    download is tried by :func:`save_image` when this finds nothing)."""
    env = os.environ.get("GRAPHKIT_CHROMIUM")
    if env:
        return env if os.path.isfile(env) else None
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _none_found() -> BrowserUnavailable:
    return BrowserUnavailable(
        "writing a PNG or SVG image needs Chromium or Chrome: none found (looked for "
        f"$GRAPHKIT_CHROMIUM, {', '.join(_NAMES)} on the PATH and Playwright's own; install "
        "one, e.g. apt-get install chromium or playwright install chromium)")


def check_browser() -> str:
    """The browser :func:`save_image` would use, or :class:`BrowserUnavailable` naming what
    is missing (checked before any work, so a command fails at once)."""
    sync_playwright = _playwright()
    exe = find_chromium()
    if exe is not None:
        return exe
    with sync_playwright() as p:
        own = p.chromium.executable_path
    if own and os.path.isfile(own):
        return own
    raise _none_found()


def save_image(view, path, *, width: int = 1600, height: int = 1100, scale: float = 2.0,
               timeout: float = 120.0) -> str:
    """Draw ``view`` in headless Chromium and write it as ``.png`` or ``.svg``.

    Parameters
    ----------
    view : View
        What to draw (any :mod:`graphkit.viz` view).
    path : str or path-like
        The image file; its extension picks the format.
    width, height : int, optional
        The window the network is fitted into, in CSS pixels (default 1600 x 1100).
    scale : float, optional
        Device pixels per CSS pixel of the PNG (default 2: a 3200 x 2200 image).
    timeout : float, optional
        Seconds to wait for the page to draw (default 120).

    Returns
    -------
    str
        ``path``.

    Raises
    ------
    ValueError
        For an extension other than ``.png`` or ``.svg``.
    BrowserUnavailable
        Without the ``playwright`` package or a Chromium to drive.

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.viz import export
    >>> v = gk.influencers_view(example, rng=1)
    >>> export.save_image(v, "influencers.png")  # doctest: +SKIP
    'influencers.png'
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in IMAGE_FORMATS:
        raise ValueError(f"an image is .png or .svg, not {path!r}")
    sync_playwright = _playwright()
    exe = find_chromium()
    with tempfile.TemporaryDirectory(prefix="graphkit-image-") as tmp:
        page_path = Path(tmp) / "view.html"
        page_path.write_text(view.to_html(), encoding="utf-8")
        url = page_path.resolve().as_uri()
        with sync_playwright() as p:
            try:
                browser = p.chromium.launch(executable_path=exe, args=_LAUNCH_ARGS)
            except Exception as exc:  # no browser at all: say what was looked for
                if exe is not None:
                    raise BrowserUnavailable(
                        f"cannot start the browser {exe} to draw the image: "
                        f"{str(exc).splitlines()[0]}") from None
                raise _none_found() from None
            try:
                context = browser.new_context(viewport={"width": int(width), "height": int(height)},
                                              device_scale_factor=float(scale))
                page = context.new_page()
                page.route("**/*", lambda route: route.continue_() if route.request.url == url
                           else route.abort())
                page.goto(url)
                page.wait_for_function("() => window.gkView && window.gkView.ready && window.gkView.stable",
                                       timeout=timeout * 1000)
                page.evaluate("""() => new Promise(resolve => {
                    window.network.once("afterDrawing", () => resolve());
                    window.gkView.exportMode();
                })""")
                page.evaluate("window.gkView.render()")
                if ext == ".svg":
                    return write_text(path, page.evaluate("window.gkView.svgText()"))
                url_data = page.evaluate("window.gkView.pngDataURL()")
            finally:
                browser.close()
    head, _, b64 = url_data.partition(",")
    if head != "data:image/png;base64":  # pragma: no cover - the browser's own output
        raise RuntimeError("the browser did not return a PNG")
    with atomic_open(path, "wb") as fh:
        fh.write(base64.b64decode(b64))
    return path
