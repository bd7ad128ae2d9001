from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("gui/", views.submit, name="submit"),
    path("cua-toi/", views.mine, name="mine"),
    path("thong-ke/", views.statistics, name="statistics"),
    path("xu-ly/tiep-nhan/", views.triage_queue, name="triage"),
    path("xu-ly/don-vi/", views.unit_queue, name="unit_queue"),
    path("xu-ly/phe-duyet/", views.approval_queue, name="approval_queue"),
    path("xu-ly/anh/<int:photo_id>/", views.original_photo, name="original_photo"),
    path("xu-ly/<str:token>/", views.staff_detail, name="staff_detail"),
    path("xu-ly/<str:token>/<slug:action>/", views.staff_action, name="staff_action"),
    path("<str:token>/", views.detail, name="detail"),
    path("<str:token>/<slug:action>/", views.reporter_action, name="reporter_action"),
]
