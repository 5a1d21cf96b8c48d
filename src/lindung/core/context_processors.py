from django.conf import settings

import lindung as _pkg


def lindung(request):
    return {"LINDUNG_VERSION": _pkg.__version__, "DEBUG": settings.DEBUG}
