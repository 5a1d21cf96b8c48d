"""Imports fill a blank risk class / income tier from the programme's own defaults."""

from __future__ import annotations

from datetime import date

import pytest

from lindung.programmes import parameters
from lindung.registry.models import Participant
from lindung.registry.services import InvalidRecord, _validate_record

from .conftest import one, pu

pytestmark = pytest.mark.django_db


def _record(programme, actor, name, value, key=""):
    parameters.record_parameter(
        actor=actor,
        programme=programme,
        name=name,
        value=value,
        key=key,
        valid_from=date(2020, 1, 1),
        reference="Perwali uji",
    )


def test_blank_risk_class_takes_the_agencys_default_then_the_programmes(
    programme, users, agencies, write, run
):
    admin = users["admin"]
    _record(programme, admin, "pu.risk_class", 2)
    _record(programme, admin, "pu.risk_class", 4, key="DINKES")
    rows = [
        pu(kelas_risiko=None),
        pu(nik="3577020203850010", nama="ANDI", kelas_risiko=None, instansi="DISHUB"),
        pu(nik="3577020203850028", nama="CAHYO", kelas_risiko="1"),
    ]
    report = run(write(rows))
    assert report["created"] == 3, report
    classes = dict(Participant.objects.values_list("person__full_name", "risk_class"))
    assert classes == {"BUDI SANTOSO": 4, "ANDI": 2, "CAHYO": 1}


def test_blank_income_tier_takes_the_programmes_default(programme, users, write, run):
    _record(programme, users["admin"], "bpu.tier", 2_000_000)
    report = run(write([one(penghasilan=None)]))
    assert report["created"] == 1, report
    assert Participant.objects.get().income_tier == 2_000_000


def test_messages_give_examples_from_the_programmes_own_region(make_programme):
    ponorogo = make_programme("kab-ponorogo", region_code="35.02", name="Program Ponorogo")
    record = {k: v for k, v in one(nik="3502014101900001", kode_kelurahan=None).items() if v}
    with pytest.raises(InvalidRecord) as err:
        _validate_record(ponorogo, record)
    text = " ".join(err.value.errors["kode_kelurahan"])
    assert "mis. 35.02." in text and "35.77" not in text
    with pytest.raises(InvalidRecord) as err:
        _validate_record(ponorogo, {**record, "kode_kelurahan": "35.02.99.9999"})
    text = " ".join(err.value.errors["kode_kelurahan"])
    assert "format 35.02." in text and "35.77" not in text
