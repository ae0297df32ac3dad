"""Django cases, run by internal/ormtraffic (TestExternalORMs) through the
pgrmw proxy. PGRMW_URL is a postgres:// URL of the proxy. Every case uses its
own database alias whose connections carry the case's application_name, so the
Go test can tell the findings apart. Each case checks the balance it leaves;
the script exits non-zero if any is wrong.

psycopg2 interpolates parameters on the client: all of this is the simple
protocol.
"""
import os
import sys
import traceback
from urllib.parse import urlparse

import django
from django.conf import settings

url = os.environ.get("PGRMW_URL")
if not url:
    sys.exit("PGRMW_URL not set")
u = urlparse(url)

APPS = [
    "dj_migrate",
    "dj_naive_save",
    "dj_save_update_fields",
    "dj_queryset_update",
    "dj_f_save",
    "dj_f_update",
    "dj_select_for_update",
    "dj_version_filter",
    "dj_race_a",
    "dj_race_b",
    "dj_no_key",
    "dj_bulk_update",
]


def database(app):
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": u.path.lstrip("/"),
        "USER": u.username,
        "HOST": u.hostname,
        "PORT": u.port,
        "OPTIONS": {"application_name": app, "sslmode": "disable"},
    }


def repeatable_read(app):
    import psycopg2.extensions

    db = database(app)
    db["OPTIONS"]["isolation_level"] = psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ
    return db


settings.configure(
    INSTALLED_APPS=["cases"],
    DATABASES={
        "default": database("dj_migrate"),
        **{a: database(a) for a in APPS},
        "dj_repeatable_read": repeatable_read("dj_repeatable_read"),
    },
    USE_TZ=True,
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()

from django.db import connections, transaction  # noqa: E402
from django.db.models import F  # noqa: E402

from cases.models import Account  # noqa: E402


def naive_save(db, pk):
    a = Account.objects.using(db).get(id=pk)
    a.balance += 150
    a.save(using=db)  # writes every field: owner, balance, version


def save_update_fields(db, pk):
    a = Account.objects.using(db).get(id=pk)
    a.balance += 150
    a.save(using=db, update_fields=["balance"])


def queryset_update(db, pk):
    a = Account.objects.using(db).get(id=pk)
    Account.objects.using(db).filter(id=pk).update(balance=a.balance + 150)


def f_save(db, pk):
    a = Account.objects.using(db).get(id=pk)
    a.balance = F("balance") + 150
    a.save(using=db, update_fields=["balance"])


def f_update(db, pk):
    Account.objects.using(db).get(id=pk)
    Account.objects.using(db).filter(id=pk).update(balance=F("balance") + 150)


def select_for_update(db, pk):
    with transaction.atomic(using=db):
        a = Account.objects.using(db).select_for_update().get(id=pk)
        a.balance += 150
        a.save(using=db)


def version_filter(db, pk):
    a = Account.objects.using(db).get(id=pk)
    n = Account.objects.using(db).filter(id=pk, version=a.version).update(
        balance=a.balance + 150, version=F("version") + 1
    )
    if n != 1:
        raise RuntimeError(f"version_filter: {n} rows updated")


def race(_db, pk):
    # Two request handlers read 100; a writes 250, b writes 500: +150 lost.
    a = Account.objects.using("dj_race_a").get(id=pk)
    b = Account.objects.using("dj_race_b").get(id=pk)
    a.balance += 150
    a.save(using="dj_race_a")
    b.balance += 400
    b.save(using="dj_race_b")


def no_key(db, pk):
    with transaction.atomic(using=db):
        a = Account.objects.using(db).select_for_update(no_key=True).get(id=pk)
        a.balance += 150
        a.save(using=db, update_fields=["balance"])


def repeatable_read_tx(db, pk):
    with transaction.atomic(using=db):
        a = Account.objects.using(db).get(id=pk)
        a.balance += 150
        a.save(using=db, update_fields=["balance"])


def bulk_update(db, pk):
    # Two rows (pk and 30) read with one IN query, written back with one
    # UPDATE ... SET balance = CASE WHEN id = ... THEN ... END.
    rows = list(Account.objects.using(db).filter(id__in=[pk, 30]).order_by("id"))
    for r in rows:
        r.balance += 150
    Account.objects.using(db).bulk_update(rows, ["balance"])



# (alias, function, balance afterwards); the row id is the index + 1.
CASES = [
    ("dj_naive_save", naive_save, 250),
    ("dj_save_update_fields", save_update_fields, 250),
    ("dj_queryset_update", queryset_update, 250),
    ("dj_f_save", f_save, 250),
    ("dj_f_update", f_update, 250),
    ("dj_select_for_update", select_for_update, 250),
    ("dj_version_filter", version_filter, 250),
    ("dj_race_a", race, 500),
    ("dj_no_key", no_key, 250),
    ("dj_repeatable_read", repeatable_read_tx, 250),
    ("dj_bulk_update", bulk_update, 250),
]


def main():
    with connections["default"].schema_editor() as editor:
        editor.create_model(Account)
    for i in range(40):
        Account.objects.create(id=i + 1, owner=f"owner{i + 1}", balance=100)
    failed = 0
    for i, (db, fn, want) in enumerate(CASES):
        try:
            fn(db, i + 1)
        except Exception:
            traceback.print_exc()
            failed += 1
            continue
        got = Account.objects.get(id=i + 1).balance
        if got != want:
            print(f"{db}: balance {got}, want {want}", file=sys.stderr)
            failed += 1
        else:
            print(f"{db}: ok (balance {got})")
    for c in connections.all():
        c.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
