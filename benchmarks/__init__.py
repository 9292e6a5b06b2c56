"""Load generator and benchmarks for Insatstorget (`python -m benchmarks.run`)."""
