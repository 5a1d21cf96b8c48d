from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessLog, Account, Job, Membership, Programme, ProgrammeParameter


def superuser_only(request) -> bool:
    """``/admin/`` is for system administrators (superusers) only; a staff flag alone opens
    nothing there. Programme work is done on the programme's own pages."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = superuser_only


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "pemda_name", "region_code", "kind", "bpjs_branch"]
    exclude = ["logo"]
    search_fields = ["code", "name", "pemda_name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "programme", "role"]
    list_filter = ["role", "programme"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "programme", "action", "object_type", "object_id", "channel"]
    list_filter = ["action", "channel", "programme"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "programme", "kind", "state", "percent", "message"]
    list_filter = ["state", "kind"]


@admin.register(ProgrammeParameter)
class ProgrammeParameterAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "name", "key", "valid_from", "value", "basis", "reference"]
    list_filter = ["name", "programme"]


@admin.register(Account)
class AccountAdmin(SimpleHistoryAdmin):
    list_display = ["user", "must_change_password", "password_reset_at", "password_changed_at"]
