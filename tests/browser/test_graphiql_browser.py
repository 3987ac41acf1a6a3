"""GraphiQL in a real browser: headless Chromium opens the page a real uvicorn process serves
on loopback, runs a saved example and sees its answer, without contacting any other host.

Needs Debian's `chromium` package (Playwright drives it; it never downloads a browser of its
own). Without it the test skips, saying so; with CI=true a missing Chromium fails the run.
Screenshots are kept under var/artifacts/ (graphiql.png is the default page, as `developer`).

"No other host" is checked twice: every request the page made (Playwright's request events)
is to the server, and Chromium's own network log, which also sees the browser's background
traffic, shows every TCP connection going to 127.0.0.1 and no UDP datagram sent at all.
Host names other than 127.0.0.1 do not even resolve (--host-resolver-rules).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Request, Response, expect, sync_playwright

from tests.live_server import REPO, LiveServer, live_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "var" / "artifacts"
LOOPBACK_ONLY = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
TIMEOUT_MS = 20_000


def chromium() -> Path:
    found = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if found is None:
        message = "Chromium is not installed (apt-get install chromium); the browser test needs it"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"{message}, and CI must run it")
        pytest.skip(message)
    return Path(found)


def launch_flags(netlog: Path) -> list[str]:
    """Playwright adds --user-data-dir itself: the fresh profile directory it is given."""
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--host-resolver-rules={LOOPBACK_ONLY}",
        f"--log-net-log={netlog}",
    ]


@dataclass
class Session:
    context: BrowserContext
    page: Page
    netlog: Path
    requests: list[Request] = field(default_factory=list)
    failures: list[Response] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.context.close()  # also writes the end of the network log


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    chromium()  # skip (or fail on CI) before starting anything
    with live_server(tmp_path_factory.mktemp("browser-server"), ("dev",)) as running:
        yield running


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    executable, netlog = chromium(), tmp_path / "netlog.json"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "chromium-profile",  # a fresh profile every time
            executable_path=str(executable),
            headless=True,
            args=launch_flags(netlog),
            viewport={"width": 1400, "height": 900},
        )
        page = context.new_page()
        opened = Session(context, page, netlog)
        context.on("request", lambda request: opened.requests.append(request))
        context.on(
            "response",
            lambda response: opened.failures.append(response) if response.status >= 400 else None,
        )
        page.on("pageerror", lambda error: opened.console_errors.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                opened.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        try:
            yield opened
        finally:
            opened.close()


def connections(netlog: Path) -> tuple[list[str], list[str]]:
    """Where the browser opened TCP connections, and where it sent UDP datagrams."""
    log: dict[str, Any] = json.loads(netlog.read_text(encoding="utf-8"))
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    tcp, udp = [], []
    for event in log["events"]:
        kind, params = names[event["type"]], event.get("params") or {}
        if kind == "TCP_CONNECT_ATTEMPT" and "address" in params:
            tcp.append(params["address"])
        elif kind == "UDP_BYTES_SENT":
            udp.append(params.get("address", "?"))
    return tcp, udp


@pytest.mark.parametrize(
    ("client", "tab", "screenshot"),
    [
        (None, "LpaStatus", "graphiql.png"),
        ("opg.poas.use", "RegisteredLpaStatus", "graphiql-opg.poas.use.png"),
    ],
    ids=["developer", "opg.poas.use"],
)
def test_graphiql_runs_a_saved_example_in_chromium_contacting_only_loopback(
    server: LiveServer, session: Session, client: str | None, tab: str, screenshot: str
) -> None:
    page = session.page
    page.goto(f"{server.base_url}/graphql" + (f"?as={client}" if client else ""))
    expect(page.locator(".graphiql-tab-active", has_text=tab)).to_be_visible(timeout=TIMEOUT_MS)
    page.locator(".graphiql-execute-button").click()

    answer = page.locator(".result-window")
    expect(answer).to_contain_text('"isRegistered": true', timeout=TIMEOUT_MS)
    expect(answer).to_contain_text('"lpaType": "PROPERTY_AND_AFFAIRS"')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / screenshot))

    urls = [request.url for request in session.requests]
    assert [url for url in urls if not url.startswith(f"{server.base_url}/")] == []
    assert any(url.endswith("/static/graphiql/graphiql.min.js") for url in urls)
    assert any(r.method == "POST" and r.url.endswith("/graphql") for r in session.requests)
    # The only refusal allowed: GraphiQL's schema query, for a client without introspection.
    refused = [(r.request.method, r.url, r.status) for r in session.failures]
    if client is None:
        assert refused == []
        assert session.console_errors == []
    else:
        assert all("__schema" in (r.request.post_data or "") for r in session.failures), refused
        assert all("status of 400" in error for error in session.console_errors)

    session.close()
    tcp, udp = connections(session.netlog)
    assert tcp, "the network log saw no connection at all"
    assert [address for address in tcp if not address.startswith("127.0.0.1:")] == []
    assert udp == []


@pytest.mark.parametrize(
    ("ci", "outcome"), [("", pytest.skip.Exception), ("true", pytest.fail.Exception)]
)
def test_without_chromium_the_test_skips_saying_why_except_on_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(f"{__name__}.CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match=r"Chromium is not installed \(apt-get install chromium\)"):
        chromium()
