"""The site's URL map: each capability owns its own URLs."""

from django.urls import include, path

from opencare.config.api import api

urlpatterns = [
    path("", include("opencare.explore.urls")),
    path("data-standard/", include("opencare.standard.urls")),
    path("review/", include("opencare.reviews.urls")),
    path("api/", api.urls),
]
