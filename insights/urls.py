"""The operations centre's pages, under /dieu-hanh/ (config/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "insights"

urlpatterns: list = []
