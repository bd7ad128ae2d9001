from django.urls import path

from . import api

urlpatterns = [
    path("incoming/", api.IncomingListCreate.as_view(), name="documents-api-incoming"),
    path("incoming/<int:pk>/", api.IncomingDetail.as_view(), name="documents-api-incoming-detail"),
    path("incoming/<int:pk>/register/", api.IncomingRegister.as_view(), name="documents-api-incoming-register"),
    path("incoming/<int:pk>/assign/", api.IncomingAssign.as_view(), name="documents-api-incoming-assign"),
    path("outgoing/", api.OutgoingList.as_view(), name="documents-api-outgoing"),
    path("outgoing/<int:pk>/", api.OutgoingDetail.as_view(), name="documents-api-outgoing-detail"),
]
