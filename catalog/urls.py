from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.search, name="search"),
    path("quan-ly/nhap/", views.import_upload, name="import_upload"),
    path("quan-ly/nhap/<int:pk>/", views.import_detail, name="import_detail"),
    path("quan-ly/nhap/<int:pk>/trang-thai/", views.import_status, name="import_status"),
    path("quan-ly/xuat/<str:fmt>/", views.export, name="export"),
    path("<str:code>/", views.detail, name="detail"),
]
