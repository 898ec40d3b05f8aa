from django.urls import path

from opencare.publishing import contracts_spreadsheet_views, token_views, views

app_name = "publishing"
org = "organisations/<int:publisher_pk>/"
process = org + "processes/<str:ocid>/"
urlpatterns = [
    path("", views.home, name="home"),
    path(org, views.organisation, name="organisation"),
    path(org + "new/", views.flow_form, {"action": "create-process"}, name="new_process"),
    path(org + "new/check/", views.flow_check, {"action": "create-process"}, name="new_process_check"),
    path(org + "api-tokens/", token_views.tokens, name="tokens"),
    path(org + "contracts-spreadsheet/", contracts_spreadsheet_views.upload, name="contracts_spreadsheet"),
    path(org + "contracts-spreadsheet/check/", contracts_spreadsheet_views.check, name="contracts_spreadsheet_check"),
    path(org + "monthly-figures.xlsx", views.actuals_template_download, name="actuals_template"),
    path(org + "monthly-figures/", views.monthly_figures_upload, name="monthly_figures"),
    path(org + "monthly-figures/check/", views.monthly_figures_check, name="monthly_figures_check"),
    path(process, views.process, name="process"),
    path(process + "actuals-upload/", views.actuals_upload, name="actuals_upload"),
    path(process + "actuals-upload/check/", views.actuals_upload_check, name="actuals_upload_check"),
    path(process + "<str:action>/", views.flow_form, name="flow"),
    path(process + "<str:action>/check/", views.flow_check, name="flow_check"),
    path("documents/<uuid:key>/<str:filename>", views.document, name="document"),
    path("audit/", views.audit_log, name="audit"),
    path("claims/", views.claims, name="claims"),
    path("claims/new/", views.claim_request, name="claim_request"),
    path("catalogue/", views.catalogue, name="catalogue"),
]
