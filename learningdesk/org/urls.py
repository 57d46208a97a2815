from django.urls import path

from learningdesk.org import views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/kinds/", views.unit_kinds, name="unit_kinds"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/delete/", views.unit_delete, name="unit_delete"),
    path("units/<int:parent_pk>/add/", views.unit_add, name="unit_add"),
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/add/", views.employer_add, name="employer_add"),
    path("employers/<int:pk>/", views.employer_detail, name="employer_detail"),
    path("employers/<int:pk>/edit/", views.employer_edit, name="employer_edit"),
    path("employers/<int:pk>/delete/", views.employer_delete, name="employer_delete"),
    path("employers/<int:employer_pk>/workplaces/add/", views.workplace_add, name="workplace_add"),
    path("workplaces/<int:pk>/", views.workplace_detail, name="workplace_detail"),
    path("workplaces/<int:pk>/edit/", views.workplace_edit, name="workplace_edit"),
    path("workplaces/<int:pk>/delete/", views.workplace_delete, name="workplace_delete"),
    path("people/", views.person_list, name="person_list"),
    path("people/add/", views.person_add, name="person_add"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/consent/", views.person_consent, name="person_consent"),
    path("people/<int:pk>/equality/", views.person_equality, name="person_equality"),
    path("people/<int:pk>/equality/delete/", views.person_equality_delete, name="person_equality_delete"),
]
