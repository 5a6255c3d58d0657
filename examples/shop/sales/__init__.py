"""Sales: customers place orders; the published contract lives in integration_events."""
