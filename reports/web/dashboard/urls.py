from django.urls import path

from reports.web.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.round_index, name="index"),
    path("<int:pk>/", views.round_dashboard, name="round"),
    path("<int:pk>/reports/", views.round_reports, name="reports"),
    path("<int:pk>/dashboard.pdf", views.round_dashboard_pdf, name="pdf"),
]
