from django.contrib.auth import views as auth_views
from django.urls import path

from core import views as core_views

from . import views, views_account

# The URL names keep the namespace "core" they had before the shell left core: `{% url 'core:login' %}`,
# LOGIN_URL = "core:login" and every reverse() in the other apps go on working unchanged.
app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    path("tai-khoan/bao-mat/", views_account.security, name="account_security"),
    path("tai-khoan/bao-mat/bat/", views_account.totp_start, name="totp_start"),
    path("tai-khoan/bao-mat/xac-nhan/", views_account.totp_confirm, name="totp_confirm"),
    path("tai-khoan/bao-mat/tat/", views_account.totp_turn_off, name="totp_disable"),
]
