"""The site's URL map: each capability owns its own URLs."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import include, path

from opencare.config import availability
from opencare.config.api import api

handler400 = "opencare.config.error_pages.bad_request"
handler403 = "opencare.config.error_pages.permission_denied"
handler404 = "opencare.config.error_pages.page_not_found"
handler500 = "opencare.config.error_pages.server_error"

# The pages for the public and the Data Review Tool, in English at these addresses and in Welsh under /cy/.
urlpatterns = i18n_patterns(
    path("", include("opencare.explore.urls")),
    path("", include("opencare.participation.urls")),
    path("data-standard/", include("opencare.standard.urls")),
    path("review/", include("opencare.reviews.urls")),
    prefix_default_language=False,
)


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon's (cached, hashed) address."""
    return HttpResponseRedirect(staticfiles_storage.url("opencare/favicon.ico"))


# Publishing, accounts, administration and the API: English only.
urlpatterns += [
    path("favicon.ico", favicon, name="favicon"),
    path("account/", include("opencare.accounts.urls")),
    path("publish/", include("opencare.publishing.urls")),
    path("harvests/", include("opencare.harvest.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("health/", availability.health, name="health"),
]
# A database that cannot be reached outside a view (e.g. in middleware) gets the 503 page too, not a 500.
handler500 = availability.server_error
