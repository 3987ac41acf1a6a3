"""GET /graphql with `Accept: text/html`: GraphiQL, served from the app's own assets.

Development (on unless LPA_GATEWAY_GRAPHIQL=false): `?as=<client>` (default `developer`)
preloads a fresh development token for that client and opens that client's saved examples
as tabs. Production serves it only when LPA_GATEWAY_GRAPHIQL=true and the policy grants some
client introspection (start-up checks that); there are no development tokens there, so the
page preloads no token and no examples, and the caller pastes their own token.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.authz.tokens import mint_dev_token

from .gateway import Gateway
from .graphiql import headers_text, render_graphiql
from .graphiql_examples import examples_for

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
        return _page({}, PRODUCTION_QUERY, [])
    client = request.query_params.get("as", DEFAULT_CLIENT)
    if client not in gateway.views:
        return HTMLResponse("Unknown client.", status_code=404)
    token = mint_dev_token(settings, client, DEV_SUB)
    headers = {"Authorization": f"Bearer {token}"}
    tabs = [example.tab(headers_text(headers)) for example in examples_for(client)]
    return _page(headers, EXAMPLE_QUERY, tabs)


def _page(headers: dict[str, str], query: str, tabs: list[dict[str, str]]) -> HTMLResponse:
    page = render_graphiql(
        endpoint="/graphql",
        static_prefix=STATIC_PREFIX,
        headers=headers,
        example_query=query,
        example_tabs=tabs,
    )
    return HTMLResponse(page, headers={"cache-control": "no-store"})
