"""rapport's data layer: SQLAlchemy models, sessions, queries, TOML in and out.

Never imports textual or tui (tests/test_store_boundary.py proves it).
"""
