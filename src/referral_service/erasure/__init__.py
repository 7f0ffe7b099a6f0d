"""Erasing a complainant's personal data, on request or by retention, identity documents included."""
