"""/api/dossiers/… — see dossiers/api.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("lookup/", api.LookupView.as_view(), name="dossiers-api-lookup"),
    path("mine/", api.MyDossiersView.as_view(), name="dossiers-api-mine"),
    path("personal-documents/", api.PersonalDocumentsView.as_view(), name="dossiers-api-personal-documents"),
    path("queue/", api.QueueView.as_view(), name="dossiers-api-queue"),
    path("counter/", api.CounterRegisterView.as_view(), name="dossiers-api-counter"),
    path(
        "consultations/<int:pk>/answer/", api.ConsultationAnswerView.as_view(), name="dossiers-api-consultation-answer"
    ),
    path("d/<str:code>/", api.DossierDetailView.as_view(), name="dossiers-api-detail"),
    path("d/<str:code>/control-sheet/", api.ControlSheetView.as_view(), name="dossiers-api-control-sheet"),
    path("d/<str:code>/result/", api.ResultDownloadView.as_view(), name="dossiers-api-result"),
    path("d/<str:code>/files/<int:file_id>/", api.DossierFileDownloadView.as_view(), name="dossiers-api-file"),
    path("d/<str:code>/next-holders/", api.NextHoldersView.as_view(), name="dossiers-api-next-holders"),
    path("d/<str:code>/rate/", api.RateView.as_view(), name="dossiers-api-rate"),
] + [path(f"d/<str:code>/{name}/", api._action_view(name), name=f"dossiers-api-{name}") for name in api.ACTIONS]
