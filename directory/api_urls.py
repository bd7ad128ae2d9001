from django.urls import path

from . import api

app_name = "directory_api"

urlpatterns = [
    path("agencies/", api.AgencyListView.as_view(), name="agency-list"),
    path("agencies/<str:code>/", api.AgencyDetailView.as_view(), name="agency-detail"),
    path("units/", api.UnitListView.as_view(), name="unit-list"),
    path("units/resolve/", api.UnitResolveView.as_view(), name="unit-resolve"),
    path("units/<str:code>/", api.UnitDetailView.as_view(), name="unit-detail"),
    path("me/", api.MeView.as_view(), name="me"),
    path("register/citizen/", api.CitizenRegistrationView.as_view(), name="register-citizen"),
    path("register/business/", api.BusinessRegistrationView.as_view(), name="register-business"),
]
