from django.contrib.auth import views as auth_views
from django.urls import path

from reports.web.report import views
from reports.web.targets import views as targets_views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("rounds/<int:round_pk>/start/<int:department_pk>/", views.start_page, name="report_start"),
    path("reports/<int:pk>/", views.page, name="report"),
    path("reports/<int:pk>/score/", views.live_score, name="report_score"),
    path("reports/<int:pk>/save/", views.save, name="report_save"),
    path("reports/<int:pk>/submit/", views.submit_page, name="report_submit"),
    path("reports/<int:pk>/history/", views.history_page, name="report_history"),
    path("reports/<int:pk>/targets/", targets_views.targets_page, name="report_targets"),
    path(
        "reports/<int:pk>/targets/transition/", targets_views.targets_transition_view, name="report_targets_transition"
    ),
    path("reports/<int:pk>/targets/adjust/<int:row_pk>/", targets_views.adjust_page, name="report_target_adjust"),
    path(
        "reports/<int:pk>/targets/adjustments/<int:adjustment_pk>/decide/",
        targets_views.adjustment_decide_view,
        name="report_target_adjustment_decide",
    ),
    path(
        "reports/<int:pk>/rectifications/<int:item_pk>/answer/",
        views.rectification_reply,
        name="rectification_answer",
    ),
]
