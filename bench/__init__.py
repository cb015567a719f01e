"""Benchmarks (style rule 17): figures and ratios against peers, never assertions. See README.md."""
