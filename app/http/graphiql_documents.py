"""Which trusted documents GraphiQL shows as tabs after a client's saved examples."""

from __future__ import annotations

from graphql import GraphQLError, parse, print_ast


def same_operations(left: str, right: str) -> bool:
    """Whether two documents differ at most in comments and layout."""
    try:
        return print_ast(parse(left)) == print_ast(parse(right))
    except GraphQLError:
        return left.strip() == right.strip()
