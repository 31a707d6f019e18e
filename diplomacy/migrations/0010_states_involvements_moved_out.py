import django.db.models.deletion
from django.db import migrations, models

from powtracker.roles import roles_sync

# (app label, model) before → after.
MOVED = [
    (("diplomacy", "state"), ("states", "state")),
    (("diplomacy", "historicalstate"), ("states", "historicalstate")),
    (("diplomacy", "involvement"), ("cases", "involvement")),
    (("diplomacy", "historicalinvolvement"), ("cases", "historicalinvolvement")),
]


def _content_types_rename(apps, pairs):
    """Rename each content type row, so that its permissions (and the groups holding them), its
    admin log entries and anything else pointing at it follow the model. A row already made
    under the new name during this run of migrate (a role sync between the moves) holds nothing
    yet: it gives way to the old one. Nothing to do on a database whose rows do not exist yet."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for (old_app, old_model), (new_app, new_model) in pairs:
        old = ContentType.objects.filter(app_label=old_app, model=old_model).first()
        if old is None:
            continue
        ContentType.objects.filter(app_label=new_app, model=new_model).delete()
        old.app_label, old.model = new_app, new_model
        old.save(update_fields=["app_label", "model"])


def content_types_forward(apps, schema_editor):
    _content_types_rename(apps, MOVED)
    # The roles name "states.*_state" and "cases.*_involvement" now.
    roles_sync(apps)


def content_types_backward(apps, schema_editor):
    _content_types_rename(apps, [(after, before) for before, after in MOVED])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0018_states_involvements_moved'),
        ('diplomacy', '0009_one_power_at_a_time'),
        ('imports', '0004_states_moved'),
        ('partners', '0010_states_moved'),
        ('states', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    # States (to the states app) and involvements (to cases) leave this app's migration state; their
    # tables stay. Their content types follow them, so that permissions, admin log entries and history
    # keep pointing at them.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='historicalstate',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='involvement',
                    name='captive',
                ),
                migrations.RemoveField(
                    model_name='involvement',
                    name='state',
                ),
                migrations.AlterField(
                    model_name='historicaldiplomaticcontact',
                    name='intermediary',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='intermediary'),
                ),
                migrations.AlterField(
                    model_name='exchangeproposal',
                    name='counterpart_state',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='proposals_received', to='states.state', verbose_name='counterpart state'),
                ),
                migrations.AlterField(
                    model_name='historicalexchangeproposal',
                    name='counterpart_state',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='counterpart state'),
                ),
                migrations.AlterField(
                    model_name='historicalexchangeproposal',
                    name='proposing_state',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='proposing state'),
                ),
                migrations.AlterField(
                    model_name='diplomaticcontact',
                    name='from_state',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contacts_made', to='states.state', verbose_name='from state'),
                ),
                migrations.AlterField(
                    model_name='exchangeproposal',
                    name='mediator',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='proposals_mediated', to='states.state', verbose_name='mediator'),
                ),
                migrations.AlterField(
                    model_name='transferrequest',
                    name='requesting_state',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transfer_requests', to='states.state', verbose_name='requesting state'),
                ),
                migrations.AlterField(
                    model_name='diplomaticcontact',
                    name='to_state',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contacts_received', to='states.state', verbose_name='to state'),
                ),
                migrations.AlterField(
                    model_name='diplomaticcontact',
                    name='intermediary',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='contacts_relayed', to='states.state', verbose_name='intermediary'),
                ),
                migrations.AlterField(
                    model_name='historicaltransferrequest',
                    name='requesting_state',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='requesting state'),
                ),
                migrations.AlterField(
                    model_name='requestedperson',
                    name='held_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='states.state', verbose_name='held by'),
                ),
                migrations.AlterField(
                    model_name='historicaldiplomaticcontact',
                    name='from_state',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='from state'),
                ),
                migrations.AlterField(
                    model_name='historicalrequestedperson',
                    name='held_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='held by'),
                ),
                migrations.AlterField(
                    model_name='historicalexchangeproposal',
                    name='mediator',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='mediator'),
                ),
                migrations.AlterField(
                    model_name='historicaldiplomaticcontact',
                    name='to_state',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='to state'),
                ),
                migrations.AlterField(
                    model_name='exchangeproposal',
                    name='proposing_state',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='proposals_made', to='states.state', verbose_name='proposing state'),
                ),
                migrations.DeleteModel(
                    name='HistoricalInvolvement',
                ),
                migrations.DeleteModel(
                    name='HistoricalState',
                ),
                migrations.DeleteModel(
                    name='Involvement',
                ),
                migrations.DeleteModel(
                    name='State',
                ),
            ],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
