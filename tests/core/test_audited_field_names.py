"""Every field the audit trail shows has a readable Indonesian name (issue 16): a field of a
history-tracked model whose ``verbose_name`` is Django's default (the field name with spaces,
e.g. "received at") would show as an English code on the audit page."""

from __future__ import annotations

from django.apps import apps
from django.utils import translation


def _audited_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("lindung.") or model.__name__.startswith("Historical"):
            continue
        history = getattr(model, "history", None)
        historical = getattr(history, "model", None)
        if historical is None:
            continue
        tracked = {f.name for f in historical._meta.fields}
        for field in model._meta.concrete_fields:
            if field.name in tracked and field.name != "id":
                yield model, field


def test_the_audited_models_are_found():
    models = {m._meta.label for m, _f in _audited_fields()}
    assert {"claims.Document", "claims.Claim", "registry.Participant", "coverage.Invoice"} <= models


def test_every_audited_field_has_an_indonesian_name():
    with translation.override("id"):
        default = [
            f"{model._meta.label}.{field.name}"
            for model, field in _audited_fields()
            if str(field.verbose_name) == field.name.replace("_", " ")
        ]
    assert default == [], "no verbose_name (the audit trail shows the code): " + ", ".join(default)


def test_an_audited_field_name_reads_in_both_languages():
    """The English catalogue translates them (tests/core/test_catalogue.py fails on any
    untranslated entry); e.g. the document's receipt time."""
    from lindung.claims.models import Document

    field = Document._meta.get_field("received_at")
    with translation.override("id"):
        assert str(field.verbose_name) == "diterima pada"
    with translation.override("en"):
        assert str(field.verbose_name) == "received at"
