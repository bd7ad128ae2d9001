"""Pages of the one-stop system. Mounted at /ho-so/ (citizens, public lookup) and /ho-so/can-bo/ (officials)."""

from django.urls import path

from . import views, views_register

app_name = "dossiers"

urlpatterns = [
    # /ho-so/ itself: the signed-in user's own list, the official's queue, or the public lookup
    path("", views.index, name="index"),
    # public
    path("tra-cuu/", views.lookup, name="lookup"),
    # citizens and businesses
    path("nop/<str:code>/", views.submit, name="submit"),
    path("da-nop/<str:code>/", views.submitted, name="submitted"),
    path("cua-toi/", views.my_list, name="my_list"),
    path("cua-toi/<str:code>/", views.my_detail, name="my_detail"),
    path("cua-toi/<str:code>/<slug:action>/", views.my_action, name="my_action"),
    path("kho-du-lieu/", views.personal_store, name="personal_store"),
    path("kho-du-lieu/<int:pk>/", views.personal_download, name="personal_download"),
    # downloads (applicant or officials who may see the dossier)
    path("tai-ve/<str:code>/tep/<int:pk>/", views.file_download, name="file_download"),
    path("tai-ve/<str:code>/phieu/<int:pk>/", views.slip_download, name="slip_download"),
    # officials
    path("can-bo/", views.queue, name="queue"),
    path("can-bo/tiep-nhan/", views.register_pick, name="register_pick"),
    path("can-bo/so-theo-doi/", views_register.register_book, name="register_book"),
    path("can-bo/tiep-nhan/<str:code>/", views.register, name="register"),
    path("can-bo/ho-so/<str:code>/", views.workspace, name="workspace"),
    path("can-bo/ho-so/<str:code>/phieu-kiem-soat/", views.control_sheet, name="control_sheet"),
    path("can-bo/ho-so/<str:code>/<slug:slug>/", views.workspace_action, name="action"),
]
