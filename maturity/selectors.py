from .models import Category


def category_keys():
    return set(Category.objects.values_list("key", flat=True))


def category_names():
    """key -> (name_zh, name_en), newest edition's names first."""
    names = {}
    for c in Category.objects.select_related("edition").order_by("edition__in_force"):
        names[c.key] = (c.name_zh, c.name_en)
    return names
