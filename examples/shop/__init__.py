"""A small online shop split into two bounded contexts, sales and billing."""
