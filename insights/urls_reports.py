"""Periodic reports' pages, under /dieu-hanh/bao-cao/ (config/urls.py)."""

from django.urls import path

from . import views_reports as views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/<slug:slug>/", views.report_action, name="action"),
    path("tong-hop/<int:template_pk>/<str:start>/", views.aggregate, name="aggregate"),
    path("mau/<int:template_pk>/mo-ky/", views.open_period, name="open_period"),
]
