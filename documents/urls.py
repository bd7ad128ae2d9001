from django.urls import path

from . import pdf_registers, public, views, views_exchange, views_outgoing

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
    path("tra-cuu/", views.search, name="search"),
    path("lien-thong/edxml/", views.edxml_inbox, name="edxml_inbox"),
    path("di/<int:pk>/lien-thong/", views_exchange.outgoing_exchange, name="outgoing_exchange"),
    path(
        "di/<int:pk>/lien-thong/<slug:action>/",
        views_exchange.outgoing_exchange_action,
        name="outgoing_exchange_action",
    ),
    path("lien-thong/hop-thu-di/", views_exchange.exchange_outbox, name="exchange_outbox"),
    path("lien-thong/hop-thu-di/<int:message_id>/gui-lai/", views_exchange.outbox_retry, name="outbox_retry"),
    # public documents (no login) and the registers as PDF (documents/public.py, documents/pdf_registers.py)
    path("cong-khai/", public.public_list, name="public_list"),
    path("cong-khai/<str:public_id>/", public.public_verify, name="public_verify"),
    path("cong-khai/<str:public_id>/tai-ve/", public.public_download, name="public_download"),
    path("di/so/pdf/", pdf_registers.outgoing_register_pdf, name="outgoing_register_pdf"),
    path("den/so/pdf/", pdf_registers.incoming_register_pdf, name="incoming_register_pdf"),
    path("den/so/xlsx/", pdf_registers.incoming_register_xlsx, name="incoming_register_xlsx"),
    # last: the outgoing document's actions (documents/actions.py slugs) after every fixed di/<pk>/… address
    path("di/<int:pk>/<slug:action>/", views_outgoing.outgoing_action, name="outgoing_action"),
]
