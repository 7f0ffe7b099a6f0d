"""Inbound status pushes: regional complaint systems report back through signed webhooks."""
