"""PDF URLs; included from perfeval/urls.py under the namespace "pdf"."""

from django.urls import path

from reports.pdf import views

app_name = "pdf"

urlpatterns = [
    path("reports/<int:pk>/print/", views.print_preview, name="print"),
    path("reports/<int:pk>/pdf/", views.pdf_request, name="request"),
    path("reports/<int:pk>/pdf/<int:render_id>/", views.pdf_status, name="status"),
    path("reports/<int:pk>/pdf/<int:render_id>/file/", views.pdf_file, name="file"),
    path("reports/<int:pk>/archive/latest.pdf", views.archive_file, name="archive_latest"),
    path("reports/<int:pk>/archive/v<int:version>.pdf", views.archive_file, name="archive"),
    path("reports/<int:pk>/archive/v<int:version>/evidence.zip", views.archive_evidence, name="archive_evidence"),
]
