"""Open data pages, under /du-lieu-mo/ (config/urls.py)."""

from django.urls import path

from . import views_opendata as views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("catalog.<str:fmt>", views.catalog, name="catalog"),
    path("to-chuc/<slug:org>/", views.organization, name="organization"),
    path("<slug:name>/", views.detail, name="detail"),
    path("<slug:name>/tai-ve.<str:fmt>", views.download, name="download"),
]
