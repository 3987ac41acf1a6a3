"""GET /graphql with `Accept: text/html`: GraphiQL, served from the app's own assets.

Development (on unless LPA_GATEWAY_GRAPHIQL=false): `?as=<client>` (default `developer`)
preloads a fresh development token for that client and hands the page that client's schema
view as SDL (what `schema/<client>.graphql` commits), so GraphiQL never introspects: a client
the policy denies introspection stays denied, and the documentation explorer and completion
show its view and nothing more. The tabs are the client's saved examples, then its trusted
documents; a switcher reloads the page as any other client the policy knows. Production
serves it only when LPA_GATEWAY_GRAPHIQL=true and the policy grants some client
introspection (start-up checks that); there are no development tokens there, so the page
preloads no token, no schema, no examples and no switcher: the caller pastes their own token
and GraphiQL introspects with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.authz.contract import render
from app.authz.tokens import mint_dev_token

from .gateway import Gateway
from .graphiql import headers_text, render_graphiql
from .graphiql_documents import same_operations
from .graphiql_examples import examples_for

ENDPOINT = "/graphql"
STATIC_PREFIX = "/static/graphiql"
DEFAULT_CLIENT = "developer"
DEV_SUB = "urn:opg:poas:graphiql:users:developer"
EXAMPLE_QUERY = """# Status flags of a registered LPA (see `lpa-gateway seed --json` for demo UIDs)
query LpaStatus($uid: LpaUid!) {
  lpaStatus(uid: $uid) {
    isRegistered
    isCancelled
    hasRestrictionsAndConditions
    lpaType
    registrationDate
  }
}
"""
PRODUCTION_QUERY = """# Put your own token in the Headers editor below:
#   {"Authorization": "Bearer <token>"}
# What you can see and do depends on the client the token names.
"""


def graphiql_response(request: Request, gateway: Gateway) -> HTMLResponse | None:
    settings = gateway.settings
    if not settings.graphiql_enabled or "text/html" not in request.headers.get("accept", ""):
        return None
    if settings.is_production:
        return _page(
            render_graphiql(
                endpoint=ENDPOINT,
                static_prefix=STATIC_PREFIX,
                headers={},
                example_query=PRODUCTION_QUERY,
            )
        )
    client = request.query_params.get("as", DEFAULT_CLIENT)
    if client not in gateway.views:
        return HTMLResponse("Unknown client.", status_code=404)
    token = mint_dev_token(settings, client, DEV_SUB)
    headers = {"Authorization": f"Bearer {token}"}
    page = render_graphiql(
        endpoint=ENDPOINT,
        static_prefix=STATIC_PREFIX,
        headers=headers,
        example_query=EXAMPLE_QUERY,
        example_tabs=client_tabs(client, headers_text(headers), gateway.documents[client].texts),
        schema_sdl=render(gateway.views[client].schema),
        client=client,
        clients=list(gateway.views),
    )
    return _page(page)


def client_tabs(client: str, headers: str, documents: Iterable[str]) -> list[dict[str, str]]:
    """The saved examples, then each of the client's trusted documents (as the gateway loaded
    them at start-up) that no example already shows."""
    examples = examples_for(client)
    tabs = [example.tab(headers) for example in examples]
    for text in documents:
        if not any(same_operations(text, example.query) for example in examples):
            tabs.append({"query": text, "variables": "", "headers": headers})
    return tabs


def _page(page: str) -> HTMLResponse:
    return HTMLResponse(page, headers={"cache-control": "no-store"})
