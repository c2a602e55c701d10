from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from reports import selectors


@login_required
def home(request):
    reports = selectors.report_list(user=request.user)
    return render(request, "reports/home.html", {"reports": reports})
