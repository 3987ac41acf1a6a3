"""graphql-core's overlapping-fields rule, its work bounded in proportion to the document.

The rule compares fields that share a response name pair by pair, so n copies of one field
cost n²/2 comparisons: 900 copies of `isRegistered`, well within 1,000 tokens, ran for about
ten seconds before graphql-core's own fixed budget (500,000 units) stopped them. Here the
budget is UNITS_PER_TOKEN units of that same meter per token of the document; a document
that spends it is refused with one error. The other rules graphql-core runs are linear in
the document, or bounded by their own meters far below this (tests/security/test_validation_work.py
counts every one of them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    OverlappingFieldsCanBeMergedRule,
    SelectionSetNode,
    TokenKind,
    ValidationContext,
)
from graphql.validation.validate import ValidationAbortedError

UNITS_PER_TOKEN = 16
MESSAGE = "The document repeats fields in too many ways to check."


def token_count(document: DocumentNode) -> int:
    """The tokens the parser read for `document` (comments included, as parse's max_tokens
    counts them); 0 for a document built without locations."""
    token = document.loc.start_token if document.loc is not None else None
    count = 0
    while token is not None:
        count += token.kind not in (TokenKind.SOF, TokenKind.EOF)
        token = token.next
    return count


class BoundedOverlappingFieldsRule(OverlappingFieldsCanBeMergedRule):
    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        budget = UNITS_PER_TOKEN * token_count(context.document)
        meter = self.rule_context
        meter.remaining_complexity_budget = min(meter.remaining_complexity_budget, budget)

    def enter_selection_set(
        self, selection_set: SelectionSetNode, key: Any, parent: Any, *rest: Any
    ) -> None:
        try:
            super().enter_selection_set(selection_set, key, parent, *rest)
        except ValidationAbortedError:
            if self.rule_context.remaining_complexity_budget >= 0:
                raise  # stopped for another reason: too many errors
            raise ValidationAbortedError(MESSAGE) from None


def bounded(rules: Iterable[type[ASTValidationRule]]) -> tuple[type[ASTValidationRule], ...]:
    """`rules`, with the overlapping-fields rule replaced by the bounded one."""
    return tuple(
        BoundedOverlappingFieldsRule if rule is OverlappingFieldsCanBeMergedRule else rule
        for rule in rules
    )
