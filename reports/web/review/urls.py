"""The bureau's review pages; included from perfeval/urls.py under "review/" (namespace "review")."""

from django.urls import path

from reports.web.review import views as review_views

app_name = "review"

urlpatterns = [
    path("", review_views.queue, name="queue"),
    path("publish/", review_views.bulk_publish, name="bulk_publish"),
    path("<int:pk>/", review_views.review_page, name="report"),
    path("<int:pk>/save/", review_views.review_save, name="save"),
    path("<int:pk>/transition/", review_views.review_transition, name="transition"),
    path("<int:pk>/rows/<int:row_pk>/evidence-missing/", review_views.evidence_missing, name="evidence_missing"),
    path("<int:pk>/rectifications/", review_views.rectification_new, name="rectification_issue"),
    path("<int:pk>/rectifications/<int:item_pk>/", review_views.rectification_step, name="rectification_decide"),
]
