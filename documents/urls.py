from django.urls import path

from . import views, views_outgoing

app_name = "documents"

urlpatterns = [
    path("den/", views.incoming_queue, name="incoming_queue"),
    path("den/nhap/", views.incoming_paper, name="incoming_paper"),
    path("den/<int:pk>/", views.incoming_detail, name="incoming_detail"),
    path("den/<int:pk>/ban-quet/", views.incoming_scan, name="incoming_scan"),
    path("xu-ly/", views.handling_queue, name="handling_queue"),
    path("den/<int:pk>/<slug:action>/", views.incoming_action, name="incoming_action"),
    path(
        "den/<int:pk>/phan-cong/<int:assignment_id>/<slug:action>/", views.assignment_action, name="assignment_action"
    ),
    path("di/so/", views.outgoing_register, name="outgoing_register"),
    # outgoing drafts: drafting, review, signing, number, sending (views_outgoing.py)
    path("di/", views_outgoing.outgoing_list, name="outgoing_list"),
    path("di/soan/", views_outgoing.outgoing_new, name="outgoing_new"),
    path("di/<int:pk>/", views_outgoing.outgoing_detail, name="outgoing_detail"),
    path("di/<int:pk>/sua/", views_outgoing.outgoing_edit, name="outgoing_edit"),
    path("di/<int:pk>/tep/", views_outgoing.outgoing_file, name="outgoing_file"),
    path("di/<int:pk>/phien-ban/<int:number>/", views_outgoing.outgoing_version, name="outgoing_version"),
    path("di/<int:pk>/kem-theo/<int:attachment_id>/", views_outgoing.outgoing_attachment, name="outgoing_attachment"),
    path("di/<int:pk>/<slug:action>/", views_outgoing.outgoing_action, name="outgoing_action"),
    path("tra-cuu/", views.search, name="search"),
    path("lien-thong/edxml/", views.edxml_inbox, name="edxml_inbox"),
]
