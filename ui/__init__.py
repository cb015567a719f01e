"""Placeholder package: filled by a later issue (see the tracker). Present so the layout is fixed from the start."""
