from .scope import scope_for


def roles(request):
    """Puts the user's scope in every template, lazily: pages that never read it pay nothing."""
    return {"scope": lambda: scope_for(getattr(request, "user", None))}
