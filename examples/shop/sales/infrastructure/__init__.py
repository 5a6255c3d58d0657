"""Adapters for sales: persistence and the Kafka message bus."""
