from django.urls import path

from reports.xlsx import views

app_name = "xlsx"

urlpatterns = [
    path("reports/<int:pk>/table.xlsx", views.table_export, name="report_export"),
    path("reports/<int:pk>/import/", views.table_import, name="report_import"),
    path("import/", views.table_import, name="import"),
    path("import/confirm/", views.table_import_confirm, name="import_confirm"),
    path("rounds/<int:pk>/summary.xlsx", views.round_summary_xlsx, name="round_summary"),
    path("rounds/<int:pk>/summary.csv", views.round_summary_csv_view, name="round_summary_csv"),
]
