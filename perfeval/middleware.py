"""Chinese unless the person chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language; a bureau's staff use
whatever browser the office installed, so only an explicit choice (the language cookie,
set by the switch in the top bar) moves a page away from LANGUAGE_CODE.
"""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PrivateNoStoreMiddleware:
    """Whatever a signed-in person is shown (pages, JSON, PDF and xlsx downloads) stays out of caches.

    A shared office computer's browser cache or a proxy would otherwise keep another
    department's figures. Anonymous responses (the public pages) are left as they are.
    Placed after AuthenticationMiddleware, which sets request.user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "private, no-store"
        return response
