"""``lindung recount``: rebuild the dashboard's read model and report any drift."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ...counts import recount


class Command(BaseCommand):
    help = (
        "Hitung ulang model baca dasbor (peserta aktif dan klaim per kelurahan/instansi) dari "
        "data sumber, dan laporkan selisihnya."
    )

    def handle(self, *args, **options):
        result = recount()
        self.stdout.write(
            f"Model baca dasbor dihitung ulang: {result['periods']:,} periode kepesertaan, "
            f"{result['claims']:,} klaim dibayar, {result['rows']:,} baris.".replace(",", ".")
        )
        if result["differences"]:
            self.stdout.write(
                self.style.WARNING(
                    f"{result['differences']} baris berbeda dari model sebelumnya dan kini "
                    "sudah dibetulkan. Ada perubahan data yang tidak tercatat di riwayat "
                    "(mis. perintah SQL langsung)."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS("Tidak ada selisih: model baca sudah tepat."))
