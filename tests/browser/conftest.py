"""Browser tests: Debian's headless Chromium driven by Playwright for Python.

Nothing downloads a browser: Playwright launches the system Chromium (``/usr/bin/chromium``,
or ``$FREDDY_CHROMIUM``). A missing Chromium or Playwright is an error, never a skip; run
``pytest -m "not browser"`` to leave these tests out on purpose.

Fixtures, for new browser tests (e.g. the ``/__mock/ui`` control page):

- ``browser``: one Chromium for the session; ``offline_browser``: one whose network is cut
  (a dead proxy and a resolver that knows only 127.0.0.1).
- ``tab`` / ``offline_tab``: a fresh context and page (on ``browser`` / ``offline_browser``)
  recording every request the page makes, console errors and page errors
  (``tab.requests``, ``tab.foreign_requests()``, ``tab.errors``).
- ``second_origin``: a static site on another 127.0.0.1 port serving ``pages/``;
  ``second_origin.url("cors.html", api=...)``.
- ``shoot(page, name)``: a screenshot under ``artifacts/browser/``; with
  ``FREDDY_UPDATE_SCREENSHOTS=1`` also copied to ``docs/screenshots/`` for the README
  (unless ``publish=False``).
- ``mock_factory(**config)`` / ``observed_mock``: a fresh mock (config fields changed, e.g.
  an admin switch) recording what reached it (method, path, Origin, preflight headers,
  status), to prove what the browser really sent.

A control-page flow (``/__mock/ui``) fits the same way:
``mock = mock_factory(qa=QaConfig(admin=True))``,
``tab.page.goto(mock.server.origin + "/__mock/ui")``, switch a scenario, then open a second
tab (``open_tab(browser)``) on ``second_origin.url("cors.html", api=mock.server.base_url,
...)``, click ``#call`` and read ``window.lastCall``; ``shoot(page, "mock-ui")``.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from aiohttp import web

from mock_server.config import MockConfig
from mock_server.testing import AppThread, MockServerThread

try:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright
except ImportError:  # reported by the fixtures below as an error, never a skip
    sync_playwright = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent / "pages"
ARTIFACTS = ROOT / "artifacts" / "browser"
SCREENSHOTS = ROOT / "docs" / "screenshots"
LOOPBACK = "127.0.0.1"
TIMEOUT_MS = 15_000  # every Playwright wait is bounded by this
VIEWPORT = {"width": 1280, "height": 900}

# Headless, as root, and quiet: no background traffic of the browser's own.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def chromium_path() -> str:
    path = os.environ.get("FREDDY_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.fail("Chromium not found: `apt-get install -y chromium` (or set FREDDY_CHROMIUM); "
                    'leave browser tests out with -m "not browser"', pytrace=False)
    return path


# Package scope: Playwright's sync API keeps an event loop running in the main thread, which
# would break asyncio.run() in the tests collected after this package.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if sync_playwright is None:
        pytest.fail("Playwright is missing: pip install '.[test]'", pytrace=False)
    with sync_playwright() as pw:
        yield pw


def launch(pw: Playwright, extra: Sequence[str] = ()) -> Browser:
    # Playwright gives each launch a fresh temporary --user-data-dir of its own.
    return pw.chromium.launch(executable_path=chromium_path(), headless=True,
                              args=[*CHROMIUM_FLAGS, *extra], timeout=TIMEOUT_MS * 2)


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    b = launch(playwright)
    yield b
    b.close()


@pytest.fixture
def offline_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium with the network cut: every non-loopback request goes to a proxy port that
    refuses connections, and names other than 127.0.0.1 do not resolve."""
    with socket.socket() as dead:  # bound, never listening: connections are refused
        dead.bind((LOOPBACK, 0))
        port = dead.getsockname()[1]
        b = launch(playwright, [
            f"--proxy-server=http://{LOOPBACK}:{port}",
            f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {LOOPBACK}",
        ])
        yield b
        b.close()


@dataclass
class Tab:
    """A page plus what it did: every request URL, console errors, uncaught errors."""

    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        """Requests that did not go to 127.0.0.1 over http (data: URLs are local)."""
        return [u for u in self.requests
                if not u.startswith("data:")
                and not (urlsplit(u).scheme == "http" and urlsplit(u).hostname == LOOPBACK)]


def open_tab(b: Browser) -> Tab:
    context = b.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    tab = Tab(context.new_page())
    context.on("request", lambda r: tab.requests.append(r.url))

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            tab.errors.append(f"console: {msg.text}")

    tab.page.on("console", on_console)
    tab.page.on("pageerror", lambda exc: tab.errors.append(f"pageerror: {exc}"))
    return tab


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    t = open_tab(browser)
    yield t
    t.page.context.close()


@pytest.fixture
def offline_tab(offline_browser: Browser) -> Iterator[Tab]:
    t = open_tab(offline_browser)
    yield t
    t.page.context.close()


@pytest.fixture
def shoot() -> Callable[[Page, str], Path]:
    def _shoot(page: Page, name: str, *, full_page: bool = False, publish: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 1000, f"screenshot {path} is empty"
        if publish and os.environ.get("FREDDY_UPDATE_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, SCREENSHOTS / path.name)
        return path

    return _shoot


class PageSite(AppThread):
    """The second-origin site: an app on a free 127.0.0.1 port, with page URLs."""

    def url(self, page: str, **query: str) -> str:
        return f"{self.origin}/{page}" + (f"?{urlencode(query)}" if query else "")


async def _page_file(request: web.Request) -> web.StreamResponse:
    path = PAGES / request.match_info["name"]
    if path.parent != PAGES or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": "no-store"})


@pytest.fixture(scope="session")
def second_origin() -> Iterator[PageSite]:
    app = web.Application()
    app.router.add_get("/{name}", _page_file)
    site = PageSite(app, LOOPBACK).start()
    yield site
    site.stop()


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    origin: str | None
    request_headers: str | None  # Access-Control-Request-Headers of a preflight
    status: int


@dataclass
class ObservedMock:
    server: MockServerThread
    seen: list[Seen]


def _observed(config: MockConfig) -> ObservedMock:
    mock = ObservedMock(MockServerThread(config), [])

    async def record(request: web.Request, response: web.StreamResponse) -> None:
        mock.seen.append(Seen(request.method, request.path, request.headers.get("Origin"),
                              request.headers.get("Access-Control-Request-Headers"),
                              response.status))

    mock.server.app.on_response_prepare.append(record)
    mock.server.start()
    return mock


@pytest.fixture
def mock_factory(server: MockServerThread) -> Iterator[Callable[..., ObservedMock]]:
    """``mock_factory(**config)``: a fresh mock like the session's ``server`` (same frozen
    clock) with the given MockConfig fields changed, recording every request that reaches
    it (what the browser really sent, preflights included); stopped after the test."""
    started: list[ObservedMock] = []

    def factory(**overrides: object) -> ObservedMock:
        config = MockConfig(port=0, now=server.config.now)
        for name, value in overrides.items():
            setattr(config, name, value)
        started.append(_observed(config))
        return started[-1]

    yield factory
    for mock in started:
        mock.server.stop()


@pytest.fixture
def observed_mock(mock_factory: Callable[..., ObservedMock]) -> ObservedMock:
    return mock_factory()
