"""Which database a read that may lag goes to, by the replica's last measured lag: no
database needed, only the rule (the probe itself is tested on real servers in
tests/reliability/test_replica_reads.py)."""

from __future__ import annotations

import math

from app.db.replica import STALE_PROBES, ReadRoutes
from app.db.repository import Database

PRIMARY = Database(engine=object(), statements=object(), reads=object())  # type: ignore[arg-type]
REPLICA = Database(engine=object(), statements=object(), reads=object())  # type: ignore[arg-type]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def routes(clock: Clock, max_lag: float = 5.0) -> ReadRoutes:
    return ReadRoutes(PRIMARY, REPLICA, max_lag=max_lag, interval=1.0, clock=clock)


def test_without_a_replica_every_read_goes_to_the_primary() -> None:
    alone = ReadRoutes(PRIMARY)
    alone.observe(0.0)
    assert alone.may_lag() is PRIMARY
    assert not alone.replica_in_use


def test_the_replica_serves_up_to_the_lag_bound_and_not_beyond() -> None:
    clock = Clock()
    chosen = routes(clock)
    assert chosen.may_lag() is PRIMARY  # not probed yet: unknown counts as too far behind
    chosen.observe(0.0)
    assert chosen.may_lag() is REPLICA
    chosen.observe(5.0)  # at the bound
    assert chosen.may_lag() is REPLICA
    chosen.observe(5.001)  # beyond it
    assert chosen.may_lag() is PRIMARY
    assert chosen.lag == 5.001


def test_an_unanswered_probe_sends_reads_to_the_primary_until_one_answers() -> None:
    clock = Clock()
    chosen = routes(clock)
    chosen.observe(0.5)
    chosen.observe(None)
    assert (chosen.may_lag(), chosen.lag) == (PRIMARY, None)
    chosen.observe(0.5)
    assert chosen.may_lag() is REPLICA


def test_a_probe_too_old_no_longer_counts() -> None:
    clock = Clock()
    chosen = routes(clock)
    chosen.observe(0.0)
    clock.now += STALE_PROBES * 1.0  # the probe has not come round: still counts at the limit
    assert chosen.may_lag() is REPLICA
    clock.now += 0.01
    assert (chosen.may_lag(), chosen.lag) == (PRIMARY, None)


def test_listeners_hear_every_probe_with_unknown_as_infinity() -> None:
    heard: list[float] = []
    chosen = routes(Clock())
    chosen.watch(heard.append)
    chosen.observe(1.5)
    chosen.observe(None)
    assert heard == [1.5, math.inf]
