from django.urls import path

from . import views

app_name = "signing"

urlpatterns = [
    path("kiem-tra/", views.upload_verify, name="upload"),
    path("quan-ly/", views.manage_list, name="manage"),
    path("quan-ly/<slug:public_id>/thu-hoi/", views.manage_revoke, name="revoke"),
    path("pki/<slug:name>.crl", views.crl, name="crl"),
    path("pki/<slug:name>.pem", views.ca_certificate, name="ca_certificate"),
    path("<slug:public_id>/", views.verify, name="verify"),
    path("<slug:public_id>/tai-ve/", views.download, name="download"),
]
