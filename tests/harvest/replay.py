"""A local HTTP server replaying the real recorded pages of tests/fixtures/realdata, for harvest tests.

Pages are served by cursor: a window's first request (no cursor) gets the first page, and each page's ``links.next``
is rewritten to point back at this server with the cursor of the page after it. Responses can be scripted before
the pages (a 429 with Retry-After, a 503, a broken connection), and a page can be held until the test lets it go.
"""

from __future__ import annotations

import copy
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import orjson

REALDATA = Path(__file__).resolve().parents[1] / "fixtures" / "realdata"
FTS_PAGE = REALDATA / "fts-ocds-release-package-2026-09-03-p001-excerpt.json"
CF_PAGES = [REALDATA / "cf-ocds-search-page-2022-10-20.json", REALDATA / "cf-ocds-search-page-2022-10-22.json"]
PCS = REALDATA / "pcs-releases-2019-03-to-04.json"
S2W = REALDATA / "s2w-releases-2025-02.json"


def load(path: Path) -> dict[str, Any]:
    return orjson.loads(path.read_bytes())


def fts_pages() -> list[dict[str, Any]]:
    """The real Find a Tender page, its five releases cut into three pages (2, 2, 1) with its own metadata."""
    package = load(FTS_PAGE)
    pages = []
    for part in (package["releases"][:2], package["releases"][2:4], package["releases"][4:]):
        page = copy.deepcopy(package)
        page["releases"] = part
        pages.append(page)
    return pages


def cf_pages() -> list[dict[str, Any]]:
    """The two real Contracts Finder search pages (100 releases each), as recorded."""
    return [load(path) for path in CF_PAGES]


def ocids(pages: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(release["ocid"], release.get("id", "")) for page in pages for release in page.get("releases", [])}


@dataclass
class Scripted:
    """A response served instead of the next page: a status with headers, or a broken connection."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    break_connection: bool = False


class Replay:
    """The server: ``pages`` is the chain each window's first request starts; ``seen`` every path asked for."""

    def __init__(self, pages: list[dict[str, Any]], *, prefix: str = "") -> None:
        self.pages = pages
        self.prefix = prefix  # the path before the API's own, as in the real base URL (/api/1.0 for FTS)
        self.script: deque[Scripted] = deque()
        self.seen: list[str] = []
        self.hold_page: int | None = None  # the page index held until ``release`` is set
        self.release = threading.Event()
        self.answer: Callable[[str, dict[str, list[str]]], Any] | None = None  # serves instead of the pages
        self.on_request: Callable[[], None] | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        # shutdown() waits for serve_forever's next look at its flag: every 10 ms, not the default half second
        # (which every test that used the server spent waiting at its end).
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return self.origin + self.prefix

    def __enter__(self) -> Replay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def page_body(self, index: int) -> bytes:
        page = copy.deepcopy(self.pages[index])
        if index + 1 < len(self.pages):
            # The real links.next, moved to this server, with the next page's cursor.
            real = (page.get("links") or {}).get("next") or f"{self.prefix}/next?x=1"
            parts = urlsplit(real)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            query["cursor"] = str(index + 1)
            path = self.prefix + parts.path.split(self.prefix, 1)[-1] if self.prefix else parts.path
            page["links"] = {"next": f"{self.origin}{path}?" + urlencode(query, safe=":")}
        else:
            page["links"] = {}  # the last page of a window: no next
        return orjson.dumps(page)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                replay.seen.append(self.path)
                if replay.on_request is not None:
                    replay.on_request()
                if replay.script:
                    scripted = replay.script.popleft()
                    if scripted.break_connection:
                        self.connection.shutdown(2)
                        return
                    self._send(scripted.status, scripted.body, scripted.headers)
                    return
                query = parse_qs(urlsplit(self.path).query)
                if replay.answer is not None:
                    self._send(200, orjson.dumps(replay.answer(self.path, query)))
                    return
                index = int(query.get("cursor", ["0"])[0])
                if replay.hold_page == index:
                    replay.release.wait(60)
                self._send(200, replay.page_body(index))

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler


class FakeClock:
    """A clock that moves only when slept on: waits are recorded, never really slept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
