"""The site's URL map: each capability owns its own URLs."""

from django.urls import include, path

urlpatterns = [
    path("", include("opencare.explore.urls")),
    path("data-standard/", include("opencare.standard.urls")),
]
