"""The rows of tests/test_service_rules.py: one per service, grouped by what the service changes."""
