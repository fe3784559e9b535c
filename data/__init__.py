"""Persistence: SQLModel tables, one engine from settings, Alembic migrations, the
content-addressed file store, and query functions that take `*, session`."""
