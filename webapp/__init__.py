"""Warta web app: HTML search pages, the JSON API and the widget host (`create_app(settings)`)."""
from webapp.app import create_app

__all__ = ["create_app"]
