from django.urls import path

from . import views

urlpatterns = [
    path("", views.index),
    path("healthz", views.healthz),
    path("secret-hash", views.secret_hash),
    path("notes", views.notes),
    path("db", views.db),
    path("cache", views.cache),
]
