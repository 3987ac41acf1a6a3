"""`make bench`: the gateway against a bare Starlette + asyncpg floor, on loopback.

Everything it starts (a PostgreSQL cluster, uvicorn servers, wrk) is its own, bounded in time
and stopped on the way out, whether the run ends well or not.
"""
