"""Billing use cases and the handlers for the sales integration events."""
