from .menu import entries_for
from .permissions import role_of


def programme(request):
    prog = getattr(request, "programme", None)
    if prog is None:
        return {}
    role = role_of(request.user, prog)
    return {
        "programme": prog,
        "wording": prog.wording,
        "role": role,
        "role_label": role.label if role else "",
        "menu": entries_for(request.user, prog),
    }
