"""Benchmarks: `dondoc bench scan|dispatch|crash` (each module exposes main(argv))."""
