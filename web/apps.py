from django.apps import AppConfig


class WebConfig(AppConfig):
    """The shell: the pages, the API root, the root URLs and the commands that compose every app
    (demo data, reference, backup). It imports the apps below it; none of them imports it."""

    name = "web"
    verbose_name = "Pages and API"

    def ready(self):
        from lims import lockout

        from .forms import LoginForm

        lockout.LOGIN_FORM = LoginForm  # the lockout answer shows the pages' login form
