from django.urls import path

from . import api

app_name = "payments-api"

urlpatterns = [
    path("dossiers/<str:code>/obligations/", api.DossierObligationsView.as_view(), name="obligations"),
    path("dossiers/<str:code>/payments/", api.PaymentStartView.as_view(), name="start"),
    path("attempts/<str:reference>/", api.AttemptView.as_view(), name="attempt"),
    path("obligations/<int:pk>/counter-payment/", api.CounterPaymentView.as_view(), name="counter"),
    path("webhook/<str:provider>/", api.WebhookView.as_view(), name="webhook"),
    path("flags/", api.FlagListView.as_view(), name="flags"),
]
