"""Statutory rules (pure Python, no Django)."""
