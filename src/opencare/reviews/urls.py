from django.urls import path

from opencare.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("template.<str:fmt>", views.template, name="template"),
    path("care-template.<str:fmt>", views.care_template, name="care_template"),
    path("<str:token>/", views.review_page, name="review"),
    path("<str:token>/status.json", views.review_status, name="status"),
    path("<str:token>/report.json", views.review_report, name="report_json"),
    path("<str:token>/download/<str:name>", views.download, name="download"),
    path("<str:token>/delete", views.delete, name="delete"),
]
