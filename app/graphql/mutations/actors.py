"""How a mutation names an actor of a list: by position, by the UUID the gateway issued it
(or the caller gave at creation), or both, when both must name the same actor."""

from __future__ import annotations

import uuid

from app.domain.records import ActorRef

POSITION = "Position, from 0. Give this, the UUID, or both (then they must agree)."
UUID_OF = "The actor's UUID, instead of or as well as its position."


def actor_ref(position: int | None, uid: uuid.UUID | None) -> ActorRef:
    return ActorRef(position=position, uid=uid)
