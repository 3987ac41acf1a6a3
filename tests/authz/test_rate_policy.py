"""Every client has a request rate limit in the policy, and a malformed one stops start-up."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from app.authz.policy import MAX_RATE, PolicyError, RateLimit, load_policy

FILE = "opg.poas.use.toml"
RATE = re.compile(r"\[rate\]\nper_second = [^\n]*\nburst = [^\n]*\n")


def with_rate(table: str) -> Callable[[dict[str, str]], None]:
    def edit(texts: dict[str, str]) -> None:
        texts[FILE], found = RATE.subn(table, texts[FILE])
        assert found == 1

    return edit


def test_every_client_of_the_real_policy_has_a_rate() -> None:
    policy = load_policy()
    for client in policy.clients.values():
        assert client.rate.per_second > 0
        assert client.rate.burst >= 1


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("[rate]\nper_second = 1\nburst = 1\n", RateLimit(1.0, 1)),
        ("[rate]\nper_second = 0.5\nburst = 3\n", RateLimit(0.5, 3)),
        (f"[rate]\nper_second = {MAX_RATE}\nburst = {MAX_RATE}\n", RateLimit(MAX_RATE, MAX_RATE)),
    ],
)
def test_rates_at_their_limits_load(
    policy_copy: Callable[..., Path], table: str, expected: RateLimit
) -> None:
    assert load_policy(policy_copy(with_rate(table))).clients["opg.poas.use"].rate == expected


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("", "a [rate] table is required"),
        ("[rate]\nper_second = 1\n", "takes exactly per_second, burst"),
        ("[rate]\nburst = 1\n", "takes exactly per_second, burst"),
        ("[rate]\nper_second = 1\nburst = 1\nwindow = 2\n", "takes exactly"),
        ("[rate]\nper_second = 0\nburst = 1\n", "above 0"),
        ("[rate]\nper_second = -1\nburst = 1\n", "above 0"),
        (f"[rate]\nper_second = {MAX_RATE + 1}\nburst = 1\n", f"at most {MAX_RATE}"),
        ("[rate]\nper_second = true\nburst = 1\n", "positive number"),
        ('[rate]\nper_second = "10"\nburst = 1\n', "positive number"),
        ("[rate]\nper_second = nan\nburst = 1\n", "above 0"),
        ("[rate]\nper_second = inf\nburst = 1\n", f"at most {MAX_RATE}"),
        ("[rate]\nper_second = 1\nburst = 0\n", "burst must be a whole number"),
        (f"[rate]\nper_second = 1\nburst = {MAX_RATE + 1}\n", "burst must be a whole number"),
        ("[rate]\nper_second = 1\nburst = 1.5\n", "burst must be a whole number"),
        ("[rate]\nper_second = 1\nburst = true\n", "burst must be a whole number"),
    ],
)
def test_a_malformed_rate_is_refused_naming_the_file(
    policy_copy: Callable[..., Path], table: str, message: str
) -> None:
    with pytest.raises(PolicyError, match=re.escape(message)) as refused:
        load_policy(policy_copy(with_rate(table)))
    assert FILE in str(refused.value)
