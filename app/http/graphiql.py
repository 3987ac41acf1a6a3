import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from string import Template
from typing import Final

STATIC_DIR: Final[Path] = Path(__file__).resolve().parent / "static" / "graphiql"

_MANIFEST_FIELDS: Final = (
    "file",
    "package",
    "version",
    "source",
    "licence",
    "licence_file",
    "sha256",
    "integrity",
)

# Load order matters: React before ReactDOM before GraphiQL before the explorer plugin.
_STYLESHEETS: Final = ("graphiql.min.css", "plugin-explorer.css")
_HEAD_SCRIPTS: Final = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "js.cookie.min.js",
)
_BODY_SCRIPTS: Final = ("graphiql.min.js", "plugin-explorer.umd.js")

# Characters that could end the <script> element or break JS string parsing once
# embedded. "/" is escaped too ("\/" is valid JSON and JS), so an embedded value
# can never produce "</" or a "scheme://" sequence in the page.
_SCRIPT_ESCAPES: Final = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "/": "\\/",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)

_SCHEME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_UNSAFE_URL_CHARS: Final = re.compile(r"[\x00-\x20\x7f\\]")


def _load_manifest() -> tuple[dict[str, str], ...]:
    raw: object = json.loads((STATIC_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise TypeError("GraphiQL MANIFEST.json must be a JSON list")
    entries: list[dict[str, str]] = []
    for item in raw:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(key), str) for key in _MANIFEST_FIELDS
        ):
            raise TypeError(f"malformed GraphiQL MANIFEST.json entry: {item!r}")
        entries.append({key: str(item[key]) for key in _MANIFEST_FIELDS})
    return tuple(entries)


_MANIFEST: Final = _load_manifest()
_INTEGRITY: Final = {entry["file"]: entry["integrity"] for entry in _MANIFEST}

if set(_INTEGRITY) != {*_STYLESHEETS, *_HEAD_SCRIPTS, *_BODY_SCRIPTS}:
    raise RuntimeError("GraphiQL MANIFEST.json does not match the assets the page loads")


def asset_manifest() -> list[dict[str, str]]:
    return [dict(entry) for entry in _MANIFEST]


def _same_origin_path(name: str, value: str) -> str:
    if (
        not value
        or value.startswith("//")
        or _SCHEME.match(value)
        or _UNSAFE_URL_CHARS.search(value)
    ):
        raise ValueError(f"{name} must be a path on this origin, got {value!r}")
    return value


def _js_literal(value: object) -> str:
    return json.dumps(value, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def _stylesheet(prefix: str, file: str) -> str:
    href = html.escape(f"{prefix}/{file}", quote=True)
    return (
        f'    <link rel="stylesheet" href="{href}" '
        f'integrity="{_INTEGRITY[file]}" crossorigin="anonymous" />'
    )


def _script(prefix: str, file: str) -> str:
    src = html.escape(f"{prefix}/{file}", quote=True)
    return (
        f'    <script src="{src}" integrity="{_INTEGRITY[file]}" crossorigin="anonymous"></script>'
    )


_PAGE: Final = Template(
    """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>LPA gateway - GraphiQL</title>
    <link rel="icon" href="data:," />
    <style>
      body {
        height: 100%;
        margin: 0;
        width: 100%;
        overflow: hidden;
      }

      #graphiql {
        height: 100vh;
        display: flex;
      }

      .docExplorerHide {
        display: none;
      }

      .doc-explorer-contents {
        overflow-y: hidden !important;
      }

      .docExplorerWrap {
        width: unset !important;
        min-width: unset !important;
      }

      .graphiql-explorer-actions select {
        margin-left: 4px;
      }

      .lpa-client-switcher {
        display: flex;
        align-items: center;
        gap: 0.5em;
        white-space: nowrap;
        font-size: var(--font-size-body);
      }

      .lpa-client-switcher select {
        font: inherit;
      }
    </style>
$stylesheets
$head_scripts
  </head>

  <body>
    <div id="graphiql" class="graphiql-container">Loading...</div>
$body_scripts
    <script>
      const ENDPOINT = $endpoint;
      const DEFAULT_HEADERS = $headers;
      const EXAMPLE_QUERY = $example_query;
      const EXAMPLE_TABS = $example_tabs;
      // Development: the chosen client's schema view as SDL, and the clients to switch between.
      // Production: null and none, and GraphiQL introspects with the token the caller pastes.
      const SCHEMA_SDL = $schema_sdl;
      const CLIENT = $client;
      const CLIENTS = $clients;

      // Query and variables are kept in the page URL so a query can be shared.
      // Headers are never put in the URL nor persisted in local storage.
      const parameters = {};

      for (const entry of window.location.search.slice(1).split("&")) {
        const eq = entry.indexOf("=");
        if (eq >= 0) {
          try {
            parameters[decodeURIComponent(entry.slice(0, eq))] =
              decodeURIComponent(entry.slice(eq + 1));
          } catch (error) {
            // Ignore malformed parameters.
          }
        }
      }

      // Nothing outlives the page: tabs start from the saved examples with a fresh token on
      // every visit, and no token is ever written to local storage.
      const memory = new Map();
      const storage = {
        getItem: function (key) {
          return memory.has(key) ? memory.get(key) : null;
        },
        setItem: function (key, value) {
          memory.set(key, String(value));
        },
        removeItem: function (key) {
          memory.delete(key);
        },
        clear: function () {
          memory.clear();
        },
        get length() {
          return memory.size;
        },
      };

      // A shared link (?q=...) opens in a tab of its own, before the examples.
      const tabs = parameters.q
        ? [{ query: parameters.q, variables: parameters.variables, headers: DEFAULT_HEADERS }]
        : [];
      tabs.push.apply(tabs, EXAMPLE_TABS);

      function updateURL(data) {
        Object.assign(parameters, data);

        const newSearch =
          "?" +
          Object.keys(parameters)
            .filter(function (key) {
              return Boolean(parameters[key]);
            })
            .map(function (key) {
              return (
                encodeURIComponent(key) +
                "=" +
                encodeURIComponent(parameters[key])
              );
            })
            .join("&");
        history.replaceState(null, "", newSearch);
      }

      // Plain POST application/json only: no socket transport, no multipart.
      const fetcher = GraphiQL.createFetcher({
        url: ENDPOINT,
        enableIncrementalDelivery: false,
      });

      const explorerPlugin = GraphiQLPluginExplorer.explorerPlugin();

      // Built with GraphiQL's own copy of graphql-js: given a schema, GraphiQL never
      // introspects, so the documentation explorer and completion show this view only.
      const schema = SCHEMA_SDL === null ? undefined : GraphiQL.GraphQL.buildSchema(SCHEMA_SDL);

      // Choosing a client reloads the page as that client: a fresh token, its view, its tabs.
      function ClientSwitcher() {
        return React.createElement(
          "label",
          { className: "lpa-client-switcher" },
          "LPA gateway as",
          React.createElement(
            "select",
            {
              "aria-label": "Client",
              value: CLIENT,
              onChange: function (event) {
                window.location.search = "?as=" + encodeURIComponent(event.target.value);
              },
            },
            CLIENTS.map(function (client) {
              return React.createElement("option", { key: client, value: client }, client);
            })
          )
        );
      }

      function GraphiQLWithExplorer() {
        return React.createElement(GraphiQL, {
          fetcher: fetcher,
          schema: schema,
          plugins: [explorerPlugin],
          defaultQuery: EXAMPLE_QUERY,
          defaultTabs: tabs.length ? tabs : undefined,
          // GraphiQL 3 fills the first tab's variable editor from this prop, not from the tab.
          variables: tabs.length ? tabs[0].variables : undefined,
          defaultHeaders: DEFAULT_HEADERS,
          storage: storage,
          onEditQuery: function (newQuery) {
            updateURL({ q: newQuery });
          },
          onEditVariables: function (newVariables) {
            updateURL({ variables: newVariables });
          },
          defaultEditorToolsVisibility: true,
          inputValueDeprecation: true,
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: false,
        }, React.createElement(
          GraphiQL.Logo,
          null,
          CLIENTS.length ? React.createElement(ClientSwitcher) : "LPA gateway"
        ));
      }

      const root = ReactDOM.createRoot(document.getElementById("graphiql"));
      root.render(React.createElement(GraphiQLWithExplorer));
    </script>
  </body>
</html>
"""
)


def headers_text(headers: Mapping[str, str]) -> str:
    """Headers as GraphiQL's header editor shows them (JSON), or nothing."""
    return json.dumps(dict(headers), indent=2) if headers else ""


def render_graphiql(
    *,
    endpoint: str,
    static_prefix: str,
    headers: Mapping[str, str],
    example_query: str,
    example_tabs: Sequence[Mapping[str, str]] = (),
    schema_sdl: str | None = None,
    client: str | None = None,
    clients: Sequence[str] = (),
) -> str:
    """The page. `example_tabs` are GraphiQL tabs (`query`, `variables`, `headers` as
    editor text), opened in order; without them one tab shows `example_query`.
    With `schema_sdl` GraphiQL uses that schema and never introspects; without it, it
    introspects with the headers in its editor. `clients` fill a switcher showing `client`."""
    if clients and client not in clients:
        raise ValueError(f"the client shown, {client!r}, must be one of the clients to switch to")
    prefix = _same_origin_path("static_prefix", static_prefix).rstrip("/")
    return _PAGE.substitute(
        stylesheets="\n".join(_stylesheet(prefix, file) for file in _STYLESHEETS),
        head_scripts="\n".join(_script(prefix, file) for file in _HEAD_SCRIPTS),
        body_scripts="\n".join(_script(prefix, file) for file in _BODY_SCRIPTS),
        endpoint=_js_literal(_same_origin_path("endpoint", endpoint)),
        headers=_js_literal(headers_text(headers)),
        example_query=_js_literal(example_query),
        example_tabs=_js_literal([dict(tab) for tab in example_tabs]),
        schema_sdl=_js_literal(schema_sdl),
        client=_js_literal(client),
        clients=_js_literal(list(clients)),
    )
