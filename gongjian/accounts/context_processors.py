from gongjian.accounts.choices import BUSINESS_ROLES, Role
from gongjian.accounts.scopes import has_any_role, home_region, is_city_admin, memberships_of


def memberships(request):
    """Expose the signed-in user's roles to every template (the header shows them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_memberships": memberships_of(user),
        "my_home_region": home_region(user),
        "i_am_city_admin": is_city_admin(user),
        "i_am_security_admin": has_any_role(user, [Role.SECURITY_ADMIN]),
        # The business pages' links are shown to those who work with business data only.
        "i_do_business": user.is_superuser or has_any_role(user, BUSINESS_ROLES),
    }
