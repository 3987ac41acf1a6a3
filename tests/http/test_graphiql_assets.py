import base64
import copy
import hashlib
import json
import re

import pytest

from app.http.graphiql import STATIC_DIR, asset_manifest, render_graphiql

NOT_VENDORED = {"MANIFEST.json", "README.md"}
STATIC_PREFIX = "/static/graphiql"
XSS = "</script><script>alert(1)</script>"


def checksum_mismatches(entry: dict[str, str], data: bytes) -> list[str]:
    problems = []
    sha256 = hashlib.sha256(data).hexdigest()
    if sha256 != entry["sha256"]:
        problems.append(f"{entry['file']}: sha256 {sha256} != manifest {entry['sha256']}")
    sri = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")
    if sri != entry["integrity"]:
        problems.append(f"{entry['file']}: integrity {sri} != manifest {entry['integrity']}")
    return problems


def render(**overrides: object) -> str:
    kwargs: dict[str, object] = {
        "endpoint": "/graphql",
        "static_prefix": STATIC_PREFIX,
        "headers": {"Authorization": "Bearer test-token"},
        "example_query": "{ __typename }",
    }
    kwargs.update(overrides)
    return render_graphiql(**kwargs)  # type: ignore[arg-type]


def test_manifest_matches_the_json_file() -> None:
    on_disk = json.loads((STATIC_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
    assert asset_manifest() == on_disk
    assert asset_manifest()
    assert len({entry["file"] for entry in asset_manifest()}) == len(asset_manifest())


@pytest.mark.parametrize("entry", asset_manifest(), ids=lambda entry: entry["file"])
def test_vendored_file_matches_manifest(entry: dict[str, str]) -> None:
    path = STATIC_DIR / entry["file"]
    assert path.is_file()
    assert checksum_mismatches(entry, path.read_bytes()) == []
    assert entry["licence"] == "MIT"
    assert entry["source"].startswith("package/")
    assert re.fullmatch(r"\d+\.\d+\.\d+", entry["version"])


@pytest.mark.parametrize("entry", asset_manifest(), ids=lambda entry: entry["file"])
def test_licence_file_exists(entry: dict[str, str]) -> None:
    licence = STATIC_DIR / entry["licence_file"]
    assert licence.parent == STATIC_DIR / "licences"
    assert licence.is_file()
    assert licence.read_text(encoding="utf-8").strip()


def test_every_vendored_file_is_in_the_manifest() -> None:
    listed = {entry["file"] for entry in asset_manifest()}
    present = {
        path.name
        for path in STATIC_DIR.iterdir()
        if path.name not in NOT_VENDORED and path.name != "licences"
    }
    assert present == listed
    licences = {path.name for path in (STATIC_DIR / "licences").iterdir()}
    assert licences == {
        entry["licence_file"].removeprefix("licences/") for entry in asset_manifest()
    }


def test_checksum_checker_reports_a_tampered_manifest() -> None:
    entry = asset_manifest()[0]
    data = (STATIC_DIR / entry["file"]).read_bytes()
    assert checksum_mismatches(entry, data) == []

    bad_sha256 = copy.deepcopy(entry)
    bad_sha256["sha256"] = ("0" if entry["sha256"][0] != "0" else "1") + entry["sha256"][1:]
    assert len(checksum_mismatches(bad_sha256, data)) == 1

    bad_sri = copy.deepcopy(entry)
    bad_sri["integrity"] = "sha384-" + "A" * 64
    assert len(checksum_mismatches(bad_sri, data)) == 1

    assert len(checksum_mismatches(entry, data + b"\n")) == 2
    assert asset_manifest()[0] == entry


def test_page_references_no_outside_host() -> None:
    page = render(example_query="# see https://example.com\n{ __typename }")
    assert "http://" not in page
    assert "https://" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*//""", page, re.IGNORECASE)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*[a-z][a-z0-9+.\-]*:(?!,)""", page)


def test_page_loads_every_asset_from_static_prefix_with_sri() -> None:
    page = render()
    for entry in asset_manifest():
        tag = re.search(
            rf"""<(?:script|link)\b[^>]*(?:src|href)="{re.escape(STATIC_PREFIX)}/"""
            rf"""{re.escape(entry["file"])}"[^>]*>""",
            page,
        )
        assert tag is not None, entry["file"]
        assert f'integrity="{entry["integrity"]}"' in tag.group(0)
    external = re.findall(r"""(?:src|href)="([^"]*)\"""", page)
    assert all(url.startswith(f"{STATIC_PREFIX}/") or url == "data:," for url in external)


def test_page_configures_graphiql() -> None:
    page = render()
    assert 'const ENDPOINT = "\\/graphql";' in page
    assert "GraphiQL.createFetcher({" in page
    assert "enableIncrementalDelivery: false" in page
    assert "Bearer test-token" in page
    assert "Authorization" in page
    assert "defaultHeaders: DEFAULT_HEADERS" in page
    assert "defaultQuery: EXAMPLE_QUERY" in page
    assert "isHeadersEditorEnabled: true" in page
    assert "explorerPlugin" in page
    lowered = page.lower()
    for forbidden in ("subscription", "websocket", "wss:", "ws:", "csrf", "cookies.get"):
        assert forbidden not in lowered, forbidden


def test_values_cannot_break_out_of_the_script() -> None:
    page = render(
        headers={"Authorization": f"Bearer {XSS}", "X-Evil": "\u2028\u2029&<>"},
        example_query=f"# {XSS}\n{{ __typename }}",
    )
    assert XSS not in page
    assert "<script>alert(1)" not in page
    assert page.count("</script>") == len(asset_manifest()) - 2 + 1
    assert "\u2028" not in page
    assert "\u2029" not in page
    assert "\\u003c\\/script\\u003e" in page


def test_embedded_values_round_trip() -> None:
    headers = {"Authorization": f"Bearer {XSS}"}
    query = f"# {XSS} \u2028 & é\n{{ __typename }}"
    page = render(headers=headers, example_query=query)
    literals = dict(re.findall(r"const (ENDPOINT|DEFAULT_HEADERS|EXAMPLE_QUERY) = (.*);", page))
    assert json.loads(literals["ENDPOINT"]) == "/graphql"
    assert json.loads(json.loads(literals["DEFAULT_HEADERS"])) == headers
    assert json.loads(literals["EXAMPLE_QUERY"]) == query


def test_no_headers_leaves_the_header_editor_empty() -> None:
    assert 'const DEFAULT_HEADERS = "";' in render(headers={})


@pytest.mark.parametrize(
    "value",
    [
        "https://cdn.example.com/graphiql",
        "//cdn.example.com/graphiql",
        "/\\cdn.example.com",
        "javascript:alert(1)",
        "/static graphiql",
        "",
    ],
)
def test_outside_or_unsafe_urls_are_rejected(value: str) -> None:
    with pytest.raises(ValueError, match="static_prefix"):
        render(static_prefix=value)
    with pytest.raises(ValueError, match="endpoint"):
        render(endpoint=value)


def test_trailing_slash_on_static_prefix_is_ignored() -> None:
    assert render(static_prefix=f"{STATIC_PREFIX}/") == render()


def test_example_tabs_round_trip_and_cannot_break_out() -> None:
    tabs = [{"query": f"# {XSS}\nquery A {{ __typename }}", "variables": "{}", "headers": XSS}]
    page = render(example_tabs=tabs)
    assert XSS not in page
    [literal] = re.findall(r"const EXAMPLE_TABS = (.*);", page)
    assert json.loads(literal) == tabs
    assert "defaultTabs: tabs.length ? tabs : undefined" in page
    assert "const EXAMPLE_TABS = [];" in render()


def test_the_page_keeps_nothing_in_local_storage() -> None:
    page = render()
    assert "storage: storage" in page
    assert "shouldPersistHeaders: false" in page
    assert "localStorage" not in page
