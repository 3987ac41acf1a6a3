"""The oracle's failure budget holds across gateway processes and their restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from app.authz.tokens import mint_dev_token
from app.db.demo import seed_demo
from app.db.engine import create_engine
from app.settings import Settings
from tests.processes import gateway

ORACLE = """query($uid: LpaUid!, $dob: Date!, $postcode: String!) {
  donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode)
}"""


def asker(settings: Settings) -> Callable[[str, str, str, str], httpx.Response]:
    token = mint_dev_token(settings, "opg.poas.use", "urn:opg:poas:use:users:1")

    def ask(url: str, uid: str, dob: str, postcode: str) -> httpx.Response:
        return httpx.post(
            f"{url}/graphql",
            json={"query": ORACLE, "variables": {"uid": uid, "dob": dob, "postcode": postcode}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

    return ask


def seeded(settings: Settings) -> dict[str, str]:
    async def seed() -> dict[str, str]:
        engine = create_engine(settings)  # as the gateway's: through its pooler, if any
        try:
            demos = await seed_demo(engine)
        finally:
            await engine.dispose()
        return next(d for d in demos if d["status"] == "REGISTERED")

    return asyncio.run(seed())


def test_two_processes_share_one_budget_and_it_survives_restarts(settings: Settings) -> None:
    lpa = seeded(settings)
    ask = asker(settings)
    wrong = ("2000-01-01", lpa["donorPostcode"])
    right = (lpa["donorDateOfBirth"], lpa["donorPostcode"])
    with gateway(settings) as first, gateway(settings) as second:
        for url in (first, second, first, second):
            assert ask(url, lpa["uid"], *wrong).json() == {"data": {"donorIdentityMatches": False}}
        assert ask(first, lpa["uid"], *right).json() == {"data": {"donorIdentityMatches": True}}
        assert ask(second, lpa["uid"], *wrong).json()["data"] == {"donorIdentityMatches": False}
        locked = ask(first, lpa["uid"], *right).json()
        assert locked["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    with gateway(settings) as restarted:
        again = ask(restarted, lpa["uid"], *right).json()
        assert again["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
