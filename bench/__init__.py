"""`make bench`: the pages people use most, timed against a scaled copy of the data (see
scripts/bench.sh). Not part of `make test`; tests/test_query_budgets.py checks the query
counts of the same pages."""
