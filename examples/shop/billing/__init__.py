"""Billing: invoices are drafted when sales places an order and settled by payments."""
