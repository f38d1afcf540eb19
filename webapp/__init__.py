"""Warta web app (placeholder until the web issue lands)."""
