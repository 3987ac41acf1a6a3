"""GraphiQL in a real browser: headless Chromium opens the page a real uvicorn process serves
on loopback, as each client the policy knows, without contacting any other host.

For each client: no error wall (no refused request, no console error, no introspection query
sent: the page is handed the client's view as SDL); the documentation explorer lists that
view's root types, types and root fields, and no others, compared with the view the gateway
builds from the policy; completion offers the same root fields; the first saved example runs
with that client's token and answers data without errors; a screenshot is kept as
var/artifacts/graphiql-<client>.png. The client switcher reloads the page as another client
with a token minted for that visit.

Needs Debian's `chromium` package (Playwright drives it; it never downloads a browser of its
own). Without it the test skips, saying so; with CI=true a missing Chromium fails the run.

"No other host" is checked twice: every request the page made (Playwright's request events)
is to the server, and Chromium's own network log, which also sees the browser's background
traffic, shows every TCP connection going to 127.0.0.1 and no UDP datagram sent at all.
Host names other than 127.0.0.1 do not even resolve (--host-resolver-rules).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from graphql import GraphQLObjectType, GraphQLSchema, OperationDefinitionNode, parse
from playwright.sync_api import (
    BrowserContext,
    Locator,
    Page,
    Request,
    Response,
    expect,
    sync_playwright,
)
from playwright.sync_api import (
    Error as PlaywrightError,
)

from app.authz.manifests import load_manifest, manifest_path
from app.authz.policy import load_policy
from app.authz.views import build_view
from app.db.migrate import upgrade
from app.graphql.schema import build_schema
from app.http.graphiql_examples import examples_for
from app.http.graphiql_page import client_tabs
from app.settings import DEFAULT_DOCUMENTS_DIR
from tests.live_server import REPO, LiveServer, live_server
from tests.production import keys_file, signed_token

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "var" / "artifacts"
LOOPBACK_ONLY = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
SUB = "urn:opg:poas:graphiql:users:browser-test"
REFETCH_ATTEMPTS = 20
NETWORK_CHANGED = "net::ERR_NETWORK_CHANGED"
NETWORK_CHANGE_RETRIES = 2
TIMEOUT_MS = 20_000  # every wait and assertion: the machine may be busy


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
    network_changed: int = 0  # loads Chromium abandoned with ERR_NETWORK_CHANGED

    def close(self) -> None:
        self.context.close()  # also writes the end of the network log

    def note_failed(self, request: Request) -> None:
        if NETWORK_CHANGED in (request.failure or ""):
            self.network_changed += 1

    def open(self, url: str) -> None:
        """Load `url`. Chromium abandons a load in flight when it sees the machine's network
        change (ERR_NETWORK_CHANGED: other processes on a shared machine do that); such a
        load is retried, at most twice, and only its own errors are forgotten."""
        for _ in range(NETWORK_CHANGE_RETRIES + 1):
            seen, errors = self.network_changed, len(self.console_errors)
            try:
                self.page.goto(url, wait_until="load")
            except PlaywrightError as error:
                if NETWORK_CHANGED not in str(error):
                    raise
                self.network_changed += 1
            if self.network_changed == seen:
                return
            del self.console_errors[errors:]
        raise AssertionError(f"{NETWORK_CHANGED} on every one of the loads of {url}")


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
        expect.set_options(timeout=TIMEOUT_MS)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        opened = Session(context, page, netlog)
        context.on("request", lambda request: opened.requests.append(request))
        context.on("requestfailed", lambda request: opened.note_failed(request))
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


@functools.cache
def view(client: str) -> GraphQLSchema:
    """What the gateway enforces: the client's view, built from the policy as at start-up."""
    return build_view(build_schema()._schema, load_policy().clients[client])


def root_types(schema: GraphQLSchema) -> list[GraphQLObjectType]:
    return [root for root in (schema.query_type, schema.mutation_type) if root is not None]


def tab_titles(tabs: list[dict[str, str]]) -> list[str]:
    """GraphiQL titles a tab by its operation's name."""
    titles = []
    for tab in tabs:
        names = [
            definition.name.value
            for definition in parse(tab["query"]).definitions
            if isinstance(definition, OperationDefinitionNode) and definition.name
        ]
        titles.append(names[0] if names else "<untitled>")
    return titles


def assert_no_error_wall(session: Session, server: LiveServer) -> None:
    """Nothing refused, nothing logged as an error, and no schema query ever sent."""
    assert [(r.request.method, r.url, r.status) for r in session.failures] == []
    assert session.console_errors == []
    posted = [r.post_data or "" for r in session.requests if r.method == "POST"]
    assert [body for body in posted if "__schema" in body or "__type" in body] == []
    urls = [request.url for request in session.requests]
    assert [url for url in urls if not url.startswith(f"{server.base_url}/")] == []
    assert any(url.endswith("/static/graphiql/graphiql.min.js") for url in urls)


def assert_only_loopback(session: Session) -> None:
    session.close()
    tcp, udp = connections(session.netlog)
    assert tcp, "the network log saw no connection at all"
    assert [address for address in tcp if not address.startswith("127.0.0.1:")] == []
    assert udp == []


def open_root_type(page: Page, kind: str, name: str) -> Locator:
    """Open a root type in the documentation explorer; its field links."""
    docs = page.locator(".graphiql-doc-explorer")
    kind_label = page.locator(".graphiql-doc-explorer-root-type").get_by_text(kind, exact=True)
    root = docs.locator("div", has=kind_label).last  # the innermost: "<kind>: <Type>"
    root.locator(".graphiql-doc-explorer-type-name").get_by_text(name, exact=True).click()
    expect(docs.locator(".graphiql-doc-explorer-title")).to_have_text(name)
    return docs.locator(".graphiql-doc-explorer-field-name")


def completions(page: Page, opening: str) -> list[str]:
    """What completion offers at the top level of `opening`, typed over the active tab."""
    page.locator(".graphiql-query-editor .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(opening)
    page.keyboard.press("Control+Space")
    hints = page.locator(".CodeMirror-hints .CodeMirror-hint")
    expect(hints.first).to_be_visible()
    offered = hints.all_inner_texts()
    page.keyboard.press("Escape")
    return offered


def expect_active_tab(page: Page, name: str) -> None:
    active = page.locator(".graphiql-tab-active .graphiql-tab-button")
    expect(active).to_have_text(name)


def run_active_tab(page: Page) -> tuple[dict[str, Any], dict[str, Any]]:
    """Press run; the claims of the token the request carried, and the answer."""
    with page.expect_response(lambda r: r.request.method == "POST") as answered:
        page.locator(".graphiql-execute-button").click()
    response = answered.value
    assert response.status == 200
    token = response.request.headers["authorization"].removeprefix("Bearer ")
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims, response.json()


@pytest.mark.parametrize("client", load_policy().active_clients("development"))
def test_graphiql_shows_each_client_its_view_and_runs_a_saved_example(
    server: LiveServer, session: Session, client: str
) -> None:
    page, schema = session.page, view(client)
    session.open(f"{server.base_url}/graphql?as={client}")
    expect_active_tab(page, examples_for(client)[0].name)
    tabs = page.locator(".graphiql-tab .graphiql-tab-button")
    shipped = load_manifest(manifest_path(DEFAULT_DOCUMENTS_DIR, client)).values()
    expect(tabs).to_have_text(tab_titles(client_tabs(client, "", shipped)))
    expect(page.get_by_label("Client")).to_have_value(client)

    # The documentation explorer: this view's root types and types, then each root's fields.
    page.get_by_label("Show Documentation Explorer").click()
    docs = page.locator(".graphiql-doc-explorer")
    expect(docs.locator(".graphiql-doc-explorer-root-type")).to_have_text(
        ["query", "mutation"][: len(root_types(schema))]
    )
    listed = set(docs.locator(".graphiql-doc-explorer-type-name").all_inner_texts())
    assert listed == {name for name in schema.type_map if not name.startswith("__")}
    for kind, root in zip(("query", "mutation"), root_types(schema), strict=False):
        expect(open_root_type(page, kind, root.name)).to_have_text(list(root.fields))
        docs.locator(".graphiql-doc-explorer-back").click()
    open_root_type(page, "query", "Query")

    # The first saved example runs, as this client, and answers data without errors.
    claims, body = run_active_tab(page)
    assert claims["iss"] == client
    assert "errors" not in body
    assert body["data"]
    assert all(value is not None for value in body["data"].values())
    answer = page.locator(".result-window")
    for field_name in body["data"]:
        expect(answer).to_contain_text(f'"{field_name}"')
    expect(answer).not_to_contain_text('"errors"')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"graphiql-{client}.png"))

    # Completion offers this view's root fields (and GraphQL's own meta-fields) and no others.
    for opening, root in zip(("{ ", "mutation { "), root_types(schema), strict=False):
        offered = completions(page, opening)
        assert [name for name in offered if not name.startswith("__")] == list(root.fields)

    assert_no_error_wall(session, server)
    assert_only_loopback(session)


def test_the_switcher_reloads_the_page_as_another_client_with_a_fresh_token(
    server: LiveServer, session: Session
) -> None:
    page = session.page
    session.open(f"{server.base_url}/graphql")
    switcher = page.get_by_label("Client")
    expect(switcher).to_have_value("developer")
    offered = switcher.locator("option").all_inner_texts()
    assert offered == load_policy().active_clients("development")

    switched_at = int(time.time())
    switcher.select_option("opg.poas.use")
    # Wait for the page loaded as that client, not for any navigation: the page keeps the
    # editor's text in its own URL (`?q=`, a same-document navigation) as the editor settles,
    # and that may come first.
    as_use = re.escape(f"{server.base_url}/graphql?as=opg.poas.use")
    page.wait_for_url(re.compile(as_use + "(&|$)"))
    expect(page.get_by_label("Client")).to_have_value("opg.poas.use")
    expect_active_tab(page, examples_for("opg.poas.use")[0].name)
    claims, body = run_active_tab(page)
    assert claims["iss"] == "opg.poas.use"
    assert claims["iat"] >= switched_at  # minted for this visit
    assert claims["exp"] > time.time()
    assert body["data"]["lpaStatus"]["isRegistered"] is True

    assert_no_error_wall(session, server)
    assert_only_loopback(session)


@pytest.fixture
def production_server(tmp_path: Path) -> Iterator[tuple[LiveServer, Ed25519PrivateKey]]:
    """`serve` in production with GraphiQL on and the developer client allowed (the one the
    policy grants introspection), trusting one fresh key for it and for opg.poas.use."""
    chromium()
    upgrade(f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}")
    key = Ed25519PrivateKey.generate()
    env = {
        "LPA_GATEWAY_ENV": "production",
        "LPA_GATEWAY_CLIENT_KEYS_FILE": str(
            keys_file(tmp_path, ("developer", "opg.poas.use"), key)
        ),
        "LPA_GATEWAY_GRAPHIQL": "true",
        "LPA_GATEWAY_ALLOW_DEVELOPER_CLIENT": "true",
        "LPA_GATEWAY_ALLOWED_HOSTS": "127.0.0.1",  # where trusted hosts are checked
    }
    with live_server(tmp_path, ("serve",), env) as running:
        yield running, key


def paste_token_and_refetch(page: Page, token: str) -> Response:
    """Put a bearer token in the Headers editor and re-fetch the schema; the answer.

    GraphiQL picks up edited headers on its next render, so a re-fetch sent before that
    still carries the previous ones: it is sent again until it carries this token."""
    page.locator('[data-name="headers"]').click()
    headers = json.dumps({"Authorization": f"Bearer {token}"})
    page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror").evaluate(
        "(editor, text) => editor.CodeMirror.setValue(text)", headers
    )
    for _ in range(REFETCH_ATTEMPTS):
        with page.expect_response(lambda r: "__schema" in (r.request.post_data or "")) as answer:
            page.get_by_label("Re-fetch GraphQL schema").click()
        if answer.value.request.headers.get("authorization") == f"Bearer {token}":
            return answer.value
        page.wait_for_timeout(100)
    raise AssertionError(f"no re-fetch carried the pasted token in {REFETCH_ATTEMPTS} attempts")


def test_production_graphiql_is_unchanged_it_introspects_with_the_pasted_token(
    production_server: tuple[LiveServer, Ed25519PrivateKey], session: Session
) -> None:
    (server, key), page = production_server, session.page
    with page.expect_response(lambda r: "__schema" in (r.request.post_data or "")) as first:
        session.open(f"{server.base_url}/graphql?as=opg.poas.use")
    assert first.value.status == 401  # no token preloaded: the page introspects as nobody
    expect(page.get_by_label("Client")).to_have_count(0)  # no switcher
    expect(page.locator(".graphiql-logo")).to_have_text("LPA gateway")
    expect(page.locator(".graphiql-tab-active .graphiql-tab-button")).to_have_count(0)

    # A client the policy denies introspection gets no schema; the one it grants, its view.
    denied = paste_token_and_refetch(page, signed_token(key, "opg.poas.use", SUB))
    assert denied.status == 400
    assert denied.json().get("data") is None
    assert [error["extensions"]["code"] for error in denied.json()["errors"]]
    allowed = paste_token_and_refetch(page, signed_token(key, "developer", SUB))
    assert allowed.status == 200, allowed.text()
    page.get_by_label("Show Documentation Explorer").click()
    developer = view("developer").query_type
    assert developer is not None
    expect(open_root_type(page, "query", "Query")).to_have_text(list(developer.fields))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "graphiql-production.png"))
    assert_only_loopback(session)


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
