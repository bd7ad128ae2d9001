from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("ho-so/<str:code>/", views.dossier_payments, name="dossier"),
    path("ho-so/<str:code>/bat-dau/", views.payment_start_view, name="start"),
    path("ho-so/<str:code>/thu-tai-quay/", views.counter_payment_view, name="counter"),
    path("demo/<str:reference>/", views.demo_bank, name="demo_bank"),
    path("tra-ve/<str:provider>/<str:reference>/", views.payment_return, name="return"),
    path("bien-lai/<str:number>/", views.receipt_view, name="receipt"),
    path("bien-lai/<str:number>/tai-ve/", views.receipt_download, name="receipt_download"),
    path("doi-soat/", views.flag_list, name="flags"),
    path("doi-soat/<int:pk>/", views.flag_detail, name="flag_detail"),
    path("doi-soat/sao-ke/", views.statement_import_view, name="statement_import"),
]
