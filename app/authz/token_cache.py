"""Bearer tokens checked in full once, then recognised by their exact text.

A client sends the same token on every request until it expires, and an Ed25519 signature
check costs more than the rest of a status lookup. So a token that passed every check
(signature, algorithm, issuer, audience, claims, lifetime) is remembered by its exact text,
and the checks that depend on the clock (`exp`, `nbf`, `iat`, with leeway) run again on every
request. Only successes are remembered; a token that differs by one byte is a different key
and is checked in full. The memory is per process, bounded (least recently used goes first),
and dies with the key ring it was checked against: keys change only with a restart.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta

from .keys import KeyRing
from .tokens import Identity, Unauthenticated, Verified, verify_in_full

DEFAULT_SIZE = 4096


class TokenCache:
    def __init__(
        self,
        ring: KeyRing,
        max_lifetime: timedelta,
        *,
        size: int = DEFAULT_SIZE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._ring = ring
        self._max_lifetime = max_lifetime
        self._size = size
        self._clock = clock
        self._seen: OrderedDict[str, Verified] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def identity(self, token: str) -> Identity:
        """The caller, or `Unauthenticated`, exactly as a full check would answer now."""
        seen = self._seen.get(token)
        if seen is not None:
            if seen.acceptable_at(self._clock()):
                self._seen.move_to_end(token)
                return seen.identity
            del self._seen[token]
            raise Unauthenticated
        verified = verify_in_full(token, self._ring, self._max_lifetime)
        self._seen[token] = verified
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return verified.identity
