"""Login throttling (django-axes): the client's address and the Chinese lockout page.

Axes counts failures per username and, separately, per client address (settings,
AXES_LOCKOUT_PARAMETERS); this module only tells it where the address comes from and
what a locked-out person sees.
"""

import ipaddress

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind a reverse proxy the header it sets (CLIENT_IP_HEADER).

    The right-most address of the header is the one the proxy itself saw: a client can
    prepend addresses to X-Forwarded-For, not append them.
    """
    header = settings.CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    candidate = value.split(",")[-1].strip() if value else request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def lockout_response(request, original_response=None, credentials=None):
    """The login form again, with why it refuses and for how long (HTTP 429)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    cool_off = get_cool_off(request)
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "locked_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    # Rendered now: middleware returns it, past the point where Django renders TemplateResponses.
    return render(request, "registration/locked.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
