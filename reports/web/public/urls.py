"""Published reports for everyone; included from perfeval/urls.py under "public/" (namespace "public")."""

from django.urls import path

from reports.web.public import views as public_views

app_name = "public"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("<int:pk>/", public_views.report_page, name="report"),
    path("<int:pk>/report.json", public_views.report_json, name="report_json"),
    path("verify/", public_views.verify, name="verify"),
]
