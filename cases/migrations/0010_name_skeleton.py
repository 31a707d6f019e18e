"""The skeleton keys of captives' names and renderings (cases.names), filled for existing rows;
on PostgreSQL, pg_trgm and the trigram indexes the name search (cases.selectors.captive_search)
reads. Each index serves one branch of that search's UNION:

- UPPER(case_number), UPPER(family_name), UPPER(given_names), UPPER(name_original),
  UPPER(service_number), UPPER(CaptiveName.full_name): `icontains` of the text as typed (Django
  writes `UPPER(col::text) LIKE UPPER('%…%')`);
- Captive.name_skeleton and CaptiveName.skeleton: `contains` of the text's skeleton key, which
  serves two-syllable Hangul (too short for a trigram of its own) and every romanization.

SQLite gets neither: its search falls back to plain LIKE.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from cases.names import name_skeleton

TRIGRAM_INDEXES = [
    ("cases_captive_case_no_trgm", "cases_captive", 'UPPER("case_number"::text)'),
    ("cases_captive_family_trgm", "cases_captive", 'UPPER("family_name"::text)'),
    ("cases_captive_given_trgm", "cases_captive", 'UPPER("given_names"::text)'),
    ("cases_captive_original_trgm", "cases_captive", 'UPPER("name_original"::text)'),
    ("cases_captive_service_trgm", "cases_captive", 'UPPER("service_number"::text)'),
    ("cases_captive_skeleton_trgm", "cases_captive", '"name_skeleton"'),
    ("cases_captivename_name_trgm", "cases_captivename", 'UPPER("full_name"::text)'),
    ("cases_captivename_skel_trgm", "cases_captivename", '"skeleton"'),
]


class PostgresOnly(TrigramExtension):
    """CREATE EXTENSION pg_trgm on PostgreSQL; nothing elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass  # other databases' objects may use the extension: leave it


def skeletons_fill(apps, schema_editor):
    Captive = apps.get_model("cases", "Captive")
    CaptiveName = apps.get_model("cases", "CaptiveName")
    captives = []
    for captive in Captive.objects.only("family_name", "given_names", "name_original").iterator(
        chunk_size=2000
    ):
        keys = [
            name_skeleton(f"{captive.family_name} {captive.given_names}"),
            name_skeleton(f"{captive.given_names} {captive.family_name}"),
            name_skeleton(captive.name_original),
        ]
        captive.name_skeleton = " ".join(dict.fromkeys(key for key in keys if key))
        captives.append(captive)
        if len(captives) == 2000:
            Captive.objects.bulk_update(captives, ["name_skeleton"])
            captives = []
    Captive.objects.bulk_update(captives, ["name_skeleton"])
    renderings = []
    for rendering in CaptiveName.objects.only("full_name").iterator(chunk_size=2000):
        rendering.skeleton = name_skeleton(rendering.full_name)
        renderings.append(rendering)
        if len(renderings) == 2000:
            CaptiveName.objects.bulk_update(renderings, ["skeleton"])
            renderings = []
    CaptiveName.objects.bulk_update(renderings, ["skeleton"])


def trigram_indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, expression in TRIGRAM_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (({expression}) '
            "gin_trgm_ops)"
        )


def trigram_indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_obligation_document"),
    ]

    operations = [
        PostgresOnly(),
        migrations.AddField(
            model_name="captive",
            name="name_skeleton",
            field=models.CharField(blank=True, editable=False, max_length=1000),
        ),
        migrations.AddField(
            model_name="captivename",
            name="skeleton",
            field=models.CharField(blank=True, editable=False, max_length=400),
        ),
        migrations.RunPython(skeletons_fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(trigram_indexes_create, trigram_indexes_drop),
    ]
