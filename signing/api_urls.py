from django.urls import path

from . import api

urlpatterns = [
    path("verify/", api.VerifyAPIView.as_view(), name="signing-api-verify"),
    path("documents/<slug:public_id>/", api.DocumentAPIView.as_view(), name="signing-api-document"),
]
