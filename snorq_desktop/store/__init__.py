"""Everything that touches PostgreSQL: the seed schema, engines, repositories."""
