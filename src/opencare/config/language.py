"""Which language a page is in: English at the site's usual addresses, Welsh under /cy/.

The language comes from the address alone, never from the browser's Accept-Language header or a cookie, so a link
always opens in the language it names, a cached page is the same for everyone who asks for that address, and the
pages that are not translated (publishing, accounts, the API) stay in English whatever the browser prefers.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LanguageFromAddressMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, less the guessing: /cy/… is Welsh, every other address is English."""

    def process_request(self, request: HttpRequest) -> None:
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


#: The packages whose pages are offered in Welsh, each with its own catalogue (<package>/locale/cy/LC_MESSAGES/);
#: opencare.config's catalogue holds the site-wide messages (error pages). `make messages` updates them all.
TRANSLATED_PACKAGES = ("explore", "participation", "reviews", "standard", "config")
