from django.urls import path

from opencare.explore import views
from opencare.explore.feeds import ProcessFeed

app_name = "explore"

urlpatterns = [
    path("", views.home, name="home"),
    path("contracts/", views.contracts, name="contracts"),
    path("contracts/<str:ocid>/", views.contract, name="contract"),
    path("contracts/<str:ocid>/record.json", views.contract_record, name="contract_record"),
    path("about-the-data/", views.about_data, name="about_data"),
    path("feeds/processes.atom", ProcessFeed(), name="feed"),
    path("downloads/", views.downloads, name="downloads"),
    path("downloads/index.json", views.downloads_index, name="downloads_index"),
    path("downloads/<str:name>", views.download_file, name="download_file"),
]
