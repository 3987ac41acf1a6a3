"""Logs: one JSON object per line in production, readable lines in development, a line per
request with its id, client, operation, duration and outcome, and never personal data.

The last point is proven on a real process: personal values go in through every door a
caller has (the body, a document literal, variables that fail validation, the query string,
headers, a malformed body, a request without a token), at DEBUG, and everything the process
writes to stdout and stderr, uvicorn's access log included, is searched for them.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from app.authz.manifests import document_hash
from app.db.migrate import upgrade
from app.http.log_config import AccessLogFilter, logging_config
from app.http.log_format import JsonFormatter, TextFormatter, _iso_millis
from app.settings import Settings
from tests.factories import CREATE_LPA
from tests.http.test_audit import PERSONAL, distinctive_lpa
from tests.live_server import LiveServer, live_server
from tests.production import documents_dir, keys_file, signed_token

USE_SUB = "urn:opg:poas:use:users:22222222-2222-4222-8222-222222222222"
MAKE_SUB = "urn:opg:poas:makeregister:users:11111111-1111-4111-8111-111111111111"
DONOR_CHECK = """
query DonorCheck($uid: LpaUid!, $dob: Date!, $postcode: String!) {
  donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode)
}
"""
# What the values look like once URL-encoded, as they would be in a query string.
ENCODED = ("QX9%209ZZ", "QX9+9ZZ", "zeb%40example.net")


def record(message: str = "request", **extra: Any) -> logging.LogRecord:
    made = logging.LogRecord("lpa_gateway.request", logging.INFO, __file__, 1, message, (), None)
    made.__dict__.update(extra)
    return made


def test_json_lines_carry_only_named_fields() -> None:
    line = JsonFormatter().format(
        record(request_id="abc", client="opg.poas.use", duration_ms=1.5, donor="Zebedee")
    )
    entry = json.loads(line)
    assert entry["message"] == "request"
    assert (entry["request_id"], entry["client"], entry["duration_ms"]) == (
        "abc",
        "opg.poas.use",
        1.5,
    )
    assert entry["level"] == "INFO"
    assert entry["logger"] == "lpa_gateway.request"
    assert entry["time"].endswith("+00:00")
    assert "Zebedee" not in line


def test_json_lines_show_an_exception_without_its_message() -> None:
    try:
        raise ValueError("Zebedee Quintavalle 1951-07-19")
    except ValueError:
        failed = record("unexpected error", exc_info=sys.exc_info())
    entry = json.loads(JsonFormatter().format(failed))
    assert entry["exception"] == "ValueError"
    assert any("test_logs.py" in frame for frame in entry["stack"])
    assert "Zebedee" not in json.dumps(entry)


def test_json_lines_take_what_orjson_refuses_as_the_stdlib_does() -> None:
    # A lone surrogate and an integer past 64 bits: orjson refuses both, the line still goes.
    line = JsonFormatter().format(record("request \ud800", status=2**70))
    assert line.startswith('{"time":')
    assert (json.loads(line)["message"], json.loads(line)["status"]) == ("request \ud800", 2**70)
    # Values orjson would write its own way are written with str(), as before.
    moment = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert json.loads(JsonFormatter().format(record(reason=moment)))["reason"] == str(moment)


def test_text_lines_are_readable() -> None:
    line = TextFormatter().format(record(request_id="abc", client="opg.poas.use", status=200))
    assert line.endswith(
        "INFO    lpa_gateway.request: request request_id=abc client=opg.poas.use status=200"
    )


def test_the_access_log_drops_query_strings() -> None:
    access = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/graphql?dob=1951-07-19&as=x", "1.1", 405),
        None,
    )
    assert AccessLogFilter().filter(access)
    assert access.getMessage() == '127.0.0.1:5000 - "GET /graphql HTTP/1.1" 405'
    entry = json.loads(JsonFormatter().format(access))
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/graphql", 405)
    assert "1951" not in json.dumps(entry)


def access_record(method: str, path: str) -> logging.LogRecord:
    args = ("127.0.0.1:5000", method, path, "1.1", 200)
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "%s", args, None)


def test_the_access_log_leaves_graphql_posts_to_the_request_line() -> None:
    assert not AccessLogFilter().filter(access_record("POST", "/graphql"))
    assert not AccessLogFilter().filter(access_record("POST", "/graphql?x=1"))
    assert AccessLogFilter().filter(access_record("GET", "/graphql"))
    assert AccessLogFilter().filter(access_record("POST", "/health/live"))


@pytest.mark.parametrize(
    ("settings", "formatter"),
    [
        (Settings(env="development"), "text"),
        (Settings(env="production"), "json"),
        (Settings(env="development", log_format="json"), "json"),
        (Settings(env="production", log_format="text"), "text"),
    ],
)
def test_json_in_production_and_readable_in_development(settings: Settings, formatter: str) -> None:
    config = logging_config(settings)
    assert config["handlers"]["stderr"]["formatter"] == formatter
    assert config["loggers"]["uvicorn.access"]["filters"] == ["access"]
    assert config["loggers"]["sqlalchemy"]["level"] == "WARNING"


async def send_personal_values(server: LiveServer, make: str, use: str) -> None:
    auth = {"make": {"Authorization": f"Bearer {make}"}, "use": {"Authorization": f"Bearer {use}"}}
    bad_date = distinctive_lpa()
    bad_date["donor"]["dateOfBirth"] = "19/07/1951 Zebedee"
    async with httpx.AsyncClient(base_url=server.base_url, trust_env=False) as http:
        created = await http.post(
            "/graphql",
            json={"query": CREATE_LPA, "variables": {"input": distinctive_lpa(), "key": "k1"}},
            headers=auth["make"],
        )
        assert created.json()["data"]["createLpa"]["accepted"] is True
        uid = created.json()["data"]["createLpa"]["uid"]
        refused = await http.post(
            "/graphql",
            json={"query": CREATE_LPA, "variables": {"input": bad_date, "key": "k2"}},
            headers=auth["make"],
        )
        assert refused.status_code == 400
        inline = '{ lpaStatus(uid: "Zebedee Quintavalle 1951-07-19 QX9 9ZZ") { isRegistered } }'
        await http.post("/graphql", json={"query": inline}, headers=auth["use"])
        check = {"uid": uid, "dob": "1951-07-19", "postcode": "QX9 9ZZ"}
        await http.post(
            "/graphql", json={"query": DONOR_CHECK, "variables": check}, headers=auth["use"]
        )
        await http.get(
            "/graphql",
            params={"donor": "Zebedee Quintavalle", "dob": "1951-07-19", "postcode": "QX9 9ZZ"},
        )
        await http.get("/health/live", params={"email": "zeb@example.net"})
        await http.post(
            "/graphql",
            json={"query": inline},
            headers={"X-Donor": "Zebedee Quintavalle", "Authorization": "Bearer Zebedee"},
        )
        await http.post(
            "/graphql",
            content=b'{"query": "Zebedee Quintavalle 07700900999',
            headers={"Content-Type": "application/json", **auth["use"]},
        )


def assert_no_personal_value(output: str) -> None:
    for value in (*PERSONAL, *ENCODED):
        assert value not in output, value


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    upgrade(f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}")
    return tmp_path


@pytest.mark.anyio
async def test_production_logs_are_json_and_hold_no_personal_data(migrated: Path) -> None:
    key = Ed25519PrivateKey.generate()
    keys = keys_file(migrated, ("opg.poas.makeregister", "opg.poas.use"), key)
    trusted = {"opg.poas.makeregister": (CREATE_LPA,), "opg.poas.use": (DONOR_CHECK,)}
    env = {
        "LPA_GATEWAY_ENV": "production",
        "LPA_GATEWAY_CLIENT_KEYS_FILE": str(keys),
        "LPA_GATEWAY_ALLOWED_HOSTS": "127.0.0.1",
        "LPA_GATEWAY_DOCUMENTS_DIR": str(documents_dir(migrated, trusted)),
        "LPA_GATEWAY_LOG_LEVEL": "DEBUG",
    }
    with live_server(migrated, ("serve",), env) as server:
        make = signed_token(key, "opg.poas.makeregister", MAKE_SUB)
        use = signed_token(key, "opg.poas.use", USE_SUB)
        await send_personal_values(server, make, use)
    output = server.output()
    assert_no_personal_value(output)

    entries = [json.loads(line) for line in output.splitlines() if line.strip()]
    requests = [e for e in entries if e["logger"] == "lpa_gateway.request"]
    assert len(requests) == 7  # one per /graphql request, GET refused with 405 included
    for entry in requests:
        assert {"request_id", "client", "operation", "duration_ms", "outcome", "status"} <= set(
            entry
        )
    assert {
        "client": "opg.poas.makeregister",
        "operation": "Create",
        "document_id": f"sha256:{document_hash(CREATE_LPA)}",
        "outcome": "allowed",
    }.items() <= requests[0].items()
    assert requests[-1]["outcome"] == "denied"
    access = [e for e in entries if e["logger"] == "uvicorn.access"]
    assert {(e["method"], e["path"]) for e in access} >= {
        ("GET", "/graphql"),
        ("GET", "/health/live"),
    }


@pytest.mark.anyio
async def test_development_logs_are_readable_and_hold_no_personal_data(tmp_path: Path) -> None:
    from app.authz.tokens import mint_dev_token

    env = {"LPA_GATEWAY_LOG_LEVEL": "DEBUG"}
    with live_server(tmp_path, ("dev",), env) as server:
        settings = Settings(dev_keys_dir=tmp_path / "dev-keys")
        make = mint_dev_token(settings, "opg.poas.makeregister", MAKE_SUB)
        use = mint_dev_token(settings, "opg.poas.use", USE_SUB)
        await send_personal_values(server, make, use)
    output = server.output()
    assert_no_personal_value(output)
    lines = [line for line in output.splitlines() if "lpa_gateway.request: request " in line]
    assert len(lines) == 7
    assert "client=opg.poas.makeregister operation=Create root_field=createLpa" in lines[0]
    assert '"GET /graphql HTTP/1.1" 405' in output


@given(st.floats(min_value=0, max_value=2**33, allow_nan=False) | st.integers(0, 2**33))
def test_the_time_is_written_as_datetime_writes_it(created: float) -> None:
    expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    assert _iso_millis(created) == expected
    assert _iso_millis(created) == expected  # the second remembered


@pytest.mark.parametrize("created", [1.9999995, 1.9999996, 1767600000.0009995, 1767600000.9999999])
def test_the_time_rounds_to_the_microsecond_first_as_datetime_does(created: float) -> None:
    expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    assert _iso_millis(created) == expected
