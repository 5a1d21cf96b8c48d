"""What the demo programme contains, and why (the figures of Kota Madiun's press release).

Kota Madiun, 29 December 2025: 17,484 active participants (7,902 non-ASN + 9,582 pekerja rentan);
January–November 2025: 144 claims, Rp 6.2 billion, 206 % of Rp 3 billion of contributions;
handovers of Rp 42 M, Rp 42 M and Rp 129 M. The demo reproduces those figures with synthetic
people, through the services a user would use. Cohorts (all start dates are enrolment starts):

======================  =========  ===========  ============================================
cohort                  count      start        why
======================  =========  ===========  ============================================
BPU early (since 2022)  400        2022-07-01   BPU covered since Perda 6/2020; gives the
                                                 ≥ 36 paid months of the Rp 129 M case
PU main                 7,602      2025-01-01   non-ASN covered by the 2025 PKS
PU joiners              300        2025-07-01   growth through the year
BPU main                8,582      2025-01-01
BPU joiners             600        2025-04-01   growth through the year
BPU leavers             1,400      2025-01-01   left during the year (moved away, formal job),
                                                 ending 31 Mar … 30 Sep; not active in December
deceased (2025)         118+3      various      the 2025 death claims (not active in December)
deceased (2024)         8          2022-07-01   JKK deaths of 2024 whose children's 2025/26
                                                 scholarship instalments are paid in 2025
======================  =========  ===========  ============================================

Claims paid by BPJS from January to November 2025 (144, ≈ Rp 6.2 billion):

- 95 JKM deaths × Rp 42,000,000 (no scholarship: fewer than 36 paid months);
- 8 JKK deaths of non-ASN at UMK 2025: 48 × 2,422,105 + 22,000,000 = Rp 138,261,040 each;
- 12 JKK deaths of BPU at the Rp 1,000,000 tier: Rp 70,000,000 each;
- 3 JKK total permanent disabilities of BPU: Rp 68,000,000 each;
- 10 smaller JKK claims: 4 STMB of 2 months (non-ASN, Rp 4,844,210), 1 partial disability 5 %
  (BPU, Rp 4,000,000), 5 medical/transport-only (Rp 1,700,000 paid by BPJS each);
- 16 scholarship instalments for school year 2025/26 of the children of the 8 JKK deaths of 2024
  (one SD child, Rp 1,500,000, and one SMP child, Rp 2,000,000, per family).

The Rp 129 M case is one more BPU of the early cohort (enrolled since July 2022).

The three handovers of 29 December 2025 are JKM deaths of November 2025 paid in December (so
outside January–November): Rp 42 M, Rp 42 M, and Rp 42 M + one child's Rp 87 M scholarship
commitment (a BPU of the early cohort with 40 paid months and a 3-year-old child).
"""

from __future__ import annotations

from datetime import date

PU_MAIN, PU_JOINERS = 7_602, 300
BPU_EARLY, BPU_MAIN, BPU_JOINERS = 400, 8_582, 600
BPU_LEAVERS = 1_400
EARLY_START = date(2022, 7, 1)
YEAR_START = date(2025, 1, 1)
PU_JOIN, BPU_JOIN = date(2025, 7, 1), date(2025, 4, 1)
UMK_2025 = 2_422_105
BPU_TIER = 1_000_000

JKM_DEATHS = 95
JKK_DEATHS_PU = 8
JKK_DEATHS_BPU = 12
TPD_BPU = 3
STMB_PU = 4
PARTIAL_BPU = 1
MEDICAL = 5
MEDICAL_PAID = 1_700_000
DEATHS_2024 = 8

SIGNING_2026 = date(2025, 12, 29)
HANDOVER_PLACE = "Hotel Mercure Madiun"
HANDED_BY = "Wali Kota Madiun"
