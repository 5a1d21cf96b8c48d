"""The scenario form's examples come from the programme's own region."""

import pytest
from django import forms

from lindung.planning.forms import ScenarioForm
from lindung.programmes.wording import example_kelurahan


def test_quota_example_is_a_kelurahan_of_the_programmes_region():
    code = example_kelurahan("35.02")
    assert code.startswith("35.02.")
    form = ScenarioForm(kelurahan_example=code)
    assert form.fields["quotas"].widget.attrs["placeholder"] == f"kelurahan {code} = 500"
    form.cleaned_data = {"quotas": "desa Sukorejo lima ratus"}
    with pytest.raises(forms.ValidationError) as err:
        form.clean_quotas()
    message = " ".join(err.value.messages)
    assert f"Contoh: kelurahan {code} = 500" in message and "35.77" not in message
