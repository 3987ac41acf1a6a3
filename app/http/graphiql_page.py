"""GET /graphql in development: GraphiQL, served from the app's own assets.

`?as=<client>` preloads a fresh development token for that client (default `developer`).
Production never serves it: development tokens do not exist there.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.authz.tokens import mint_dev_token

from .gateway import Gateway
from .graphiql import render_graphiql

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


def graphiql_response(request: Request, gateway: Gateway) -> HTMLResponse | None:
    settings = gateway.settings
    if settings.is_production or "text/html" not in request.headers.get("accept", ""):
        return None
    client = request.query_params.get("as", DEFAULT_CLIENT)
    if client not in gateway.views:
        return HTMLResponse("Unknown client.", status_code=404)
    token = mint_dev_token(settings, client, DEV_SUB)
    page = render_graphiql(
        endpoint="/graphql",
        static_prefix=STATIC_PREFIX,
        headers={"Authorization": f"Bearer {token}"},
        example_query=EXAMPLE_QUERY,
    )
    return HTMLResponse(page, headers={"cache-control": "no-store"})
