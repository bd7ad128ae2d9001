"""The operations centre's pages, under /dieu-hanh/ (config/urls.py)."""

from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("bao-cao.pdf", views.dashboard_pdf, name="dashboard_pdf"),
    path("tai-ve/<slug:chart>.xlsx", views.chart_xlsx, name="chart_xlsx"),
    path("chi-so/", views.scorecard_page, name="scorecard"),
    path("chi-so/<str:code>/", views.drilldown_page, name="drilldown"),
    path("ke-hoach/", views.plan_page, name="plan"),
    path("cong-khai/", views.public_page, name="public"),
]
