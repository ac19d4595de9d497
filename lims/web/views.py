from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from lims import selectors


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"


@login_required
def home(request):
    samples = selectors.samples_visible_to(request.user)[:20]
    return render(request, "home.html", {"samples": samples})
