from django.urls import path

from reports.web.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.round_view, name="round"),
    path("<int:pk>/reports/<int:report_pk>/", views.entry, name="entry"),
]
