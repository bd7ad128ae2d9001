from django.urls import path

from . import api

app_name = "catalog_api"

urlpatterns = [
    path("procedures/", api.ProcedureListView.as_view(), name="procedure-list"),
    path("procedures/<str:code>/", api.ProcedureDetailView.as_view(), name="procedure-detail"),
    path("fields/", api.FieldListView.as_view(), name="field-list"),
]
