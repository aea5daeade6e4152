from gongjian.accounts.scopes import home_region, is_city_admin, memberships_of


def memberships(request):
    """Expose the signed-in user's roles to every template (the header shows them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_memberships": memberships_of(user),
        "my_home_region": home_region(user),
        "i_am_city_admin": is_city_admin(user),
    }
