"""Demo data: `manage.py seed_demo` writes three demo groups through the services, and with
`--scale N` an organisation's worth of synthetic history in bulk, for `make run` and `make bench`.
Nothing in the app imports it, and it imports no test code."""
