from django.apps import AppConfig


class CompostingConfig(AppConfig):
    name = "composting"
    verbose_name = "Composting batches, mix designer and soil forecast"
