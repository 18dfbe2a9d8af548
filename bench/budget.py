"""The query budget, on its own so the floor pages (bench/views.py) can read it without importing
the benchmark's page list and, through it, the scale-data generator."""

# Every page the benchmark times must stay within this many queries, however much data there is.
QUERY_BUDGET = 10
