"""Root URL configuration: the caseworkers' admin."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "powtracker — prisoner of war case register"
admin.site.site_title = "powtracker"
admin.site.index_title = "Cases and diplomacy"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
]
