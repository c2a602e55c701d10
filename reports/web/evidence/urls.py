"""Evidence URLs under a report; included from perfeval/urls.py (namespace "evidence")."""

from django.urls import path

from reports.web.evidence import views

app_name = "evidence"

urlpatterns = [
    path("reports/<int:pk>/evidence/", views.panel, name="panel"),
    path("reports/<int:pk>/evidence/<int:evidence_pk>/", views.download, name="file"),
    path("reports/<int:pk>/evidence/<int:evidence_pk>/delete/", views.delete, name="delete"),
]
