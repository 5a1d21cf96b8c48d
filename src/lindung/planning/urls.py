from django.urls import path, re_path

from . import views

P = "p/<slug:code>/rencana/"
urlpatterns = [
    path(P, views.scenario_list, name="planning_list"),
    path(P + "baru/", views.scenario_new, name="planning_new"),
    path(P + "banding/", views.compare, name="planning_compare"),
    re_path(
        r"^p/(?P<code>[-\w]+)/rencana/banding\.(?P<fmt>pdf|xlsx)$",
        views.compare_download,
        name="planning_compare_download",
    ),
    path(P + "<int:pk>/", views.scenario_detail, name="planning_detail"),
    path(P + "<int:pk>/terapkan/", views.adopt, name="planning_adopt"),
    re_path(
        r"^p/(?P<code>[-\w]+)/rencana/(?P<pk>\d+)\.(?P<fmt>pdf|xlsx|json)$",
        views.scenario_download,
        name="planning_download",
    ),
]
