from django.urls import path

from . import api

app_name = "notifications_api"

urlpatterns = [
    path("", api.InboxView.as_view(), name="inbox"),
    path("unread-count/", api.UnreadCountView.as_view(), name="unread-count"),
    path("<int:pk>/read/", api.MarkReadView.as_view(), name="mark-read"),
    path("read-all/", api.MarkAllReadView.as_view(), name="mark-all-read"),
]
