"""The billing domain model: Invoice and BillingAccount aggregates, billing events."""
