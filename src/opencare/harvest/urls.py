from django.urls import path

from opencare.harvest import views

app_name = "harvest"
urlpatterns = [path("", views.harvests, name="harvests")]
