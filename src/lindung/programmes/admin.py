from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessLog, Job, Membership, Programme


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "pemda_name", "region_code", "bpjs_branch"]
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
