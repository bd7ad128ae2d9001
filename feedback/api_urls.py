from django.urls import path

from . import api

urlpatterns = [
    path("categories/", api.CategoryList.as_view(), name="feedback-api-categories"),
    path("reports/", api.PublicReportList.as_view(), name="feedback-api-reports"),
    path("reports/mine/", api.MyReportList.as_view(), name="feedback-api-mine"),
    path("reports/queue/", api.QueueList.as_view(), name="feedback-api-queue"),
    path("reports/<str:token>/<slug:action>/", api.ReportAction.as_view(), name="feedback-api-action"),
]
