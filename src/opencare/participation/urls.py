from django.urls import path

from opencare.participation import views

app_name = "participation"
urlpatterns = [
    path("contracts/<str:ocid>/feedback/", views.give_feedback, name="give"),
    path("contracts/<str:ocid>/feedback/easy-read/", views.give_feedback, {"easy_read": True}, name="give_easy_read"),
    path("feedback/moderation-policy/", views.moderation_policy, name="policy"),
    path("feedback/moderation/", views.queue, name="queue"),
    path("feedback/moderation/publish-counts/", views.publish_counts, name="publish_counts"),
    path("feedback/moderation/<uuid:key>/", views.moderate, name="moderate"),
    path("feedback/<uuid:key>/reply/", views.reply, name="reply"),
    path("feedback/rate/<str:token>/", views.rate, name="rate"),
    path("feedback/stories.csv", views.stories_csv, name="stories_csv"),
]
