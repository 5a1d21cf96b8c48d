"""Statutory rules as code (pure Python, no Django).

Modules (each small, pure functions, doctested):

- :mod:`~lindung.rules.parameters` — dated parameters with legal references (``params_on``)
- :mod:`~lindung.rules.money` — integer rupiah, named rounding, ``terbilang``
- :mod:`~lindung.rules.contributions` — monthly contribution, due dates, late fine, BPU lapse
- :mod:`~lindung.rules.workdays` — Indonesian working days (``holidays`` package)
- :mod:`~lindung.rules.benefits` — JKM/JKK cash benefits as traced lines
- :mod:`~lindung.rules.disability` — the disability table (extendable data)
- :mod:`~lindung.rules.scholarships` — scholarship eligibility and instalment schedules
- :mod:`~lindung.rules.heirs` — entitled heirs by the BPJS TK order
- :mod:`~lindung.rules.nik` — NIK parsing and validation
- :mod:`~lindung.rules.regions` — Kemendagri region codes
- :mod:`~lindung.rules.quote` — the benefit-quote JSON contract (``lindung quote``)

Import the modules directly (``from lindung.rules.quote import quote``); this package imports
none of them, so ``python -m lindung.rules.quote`` starts fast and cleanly.
"""
