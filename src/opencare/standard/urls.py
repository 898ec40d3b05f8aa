from django.urls import path

from opencare.standard import views

app_name = "standard"

urlpatterns = [
    path("", views.index, name="index"),
    path("metric-catalogue.json", views.catalogue_json, name="catalogue_json"),
    path("metric-catalogue.csv", views.catalogue_csv_download, name="catalogue_csv"),
    path("reference-rates.json", views.reference_rates_json, name="reference_rates_json"),
    path("fields.csv", views.fields_download, name="fields_csv"),
    path("schema/<str:name>", views.schema_download, name="schema"),
    path("codelists/<str:name>", views.codelist_download, name="codelist"),
]
