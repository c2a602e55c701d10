from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "perfeval 部门整体绩效自评"
admin.site.site_title = "perfeval"
admin.site.index_title = "管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("xlsx/", include("reports.xlsx.urls")),
    path("", include("reports.urls")),
    path("", include("reports.web.evidence.urls")),
    path("review/", include("reports.web.review.urls")),
    path("public/", include("reports.web.public.urls")),
    path("rounds/", include("reports.web.dashboard.urls")),
    path("monitoring/", include("reports.web.monitoring.urls")),
    path("", include("reports.pdf.urls")),
]
