"""Compiled plans: a valid document's operation, worked out once into fields to resolve.

See compiler.py (what a plan is and what falls back to graphql-core), run.py (running one)
and cache.py (plans of ad-hoc documents, per view, bounded).
"""
