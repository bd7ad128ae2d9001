from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("dang-ky/", views.signup, name="signup"),
    path("ho-so-ca-nhan/", views.profile, name="profile"),
    path("xac-minh-tai-khoan/", views.identity_confirm, name="identity_confirm"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("co-quan/", views.agency_directory, name="agencies"),
]
