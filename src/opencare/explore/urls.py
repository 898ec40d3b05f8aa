from django.urls import path

from opencare.explore import views
from opencare.explore.feeds import ProcessFeed

app_name = "explore"

urlpatterns = [
    path("", views.home, name="home"),
    path("contracts/", views.contracts, name="contracts"),
    path("contracts/<str:ocid>/", views.contract, name="contract"),
    path("contracts/<str:ocid>/easy-read/", views.contract_easy_read, name="contract_easy_read"),
    path("contracts/<str:ocid>/record.json", views.contract_record, name="contract_record"),
    path("contracts/<str:ocid>/performance.csv", views.contract_performance_csv, name="contract_performance_csv"),
    path("contracts/<str:ocid>/charts/<str:metric_id>.svg", views.contract_chart, name="contract_chart"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("compare/", views.compare, name="compare"),
    path("compare/comparison.csv", views.compare_csv, name="compare_csv"),
    path("compare/charts/<str:metric_id>.svg", views.compare_chart, name="compare_chart"),
    path("glossary/", views.glossary, name="glossary"),
    path("about-the-data/", views.about_data, name="about_data"),
    path("feeds/processes.atom", ProcessFeed(), name="feed"),
    path("downloads/", views.downloads, name="downloads"),
    path("downloads/index.json", views.downloads_index, name="downloads_index"),
    path("downloads/<str:name>", views.download_file, name="download_file"),
]
