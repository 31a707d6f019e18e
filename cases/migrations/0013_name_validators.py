"""Names hold no control characters or hidden marks, and at least one letter."""

import cases.names
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_name_keys'),
    ]

    operations = [
        migrations.AlterField(
            model_name='captive',
            name='family_name',
            field=models.CharField(max_length=100, validators=[cases.names.name_text_validator], verbose_name='family name (Latin)'),
        ),
        migrations.AlterField(
            model_name='captive',
            name='given_names',
            field=models.CharField(blank=True, max_length=150, validators=[cases.names.name_text_validator], verbose_name='given names (Latin)'),
        ),
        migrations.AlterField(
            model_name='captive',
            name='name_original',
            field=models.CharField(blank=True, help_text='E.g. 김철수 or Иванов Иван.', max_length=200, validators=[cases.names.name_text_validator], verbose_name='name in original script'),
        ),
        migrations.AlterField(
            model_name='captivename',
            name='full_name',
            field=models.CharField(max_length=200, validators=[cases.names.name_text_validator]),
        ),
        migrations.AlterField(
            model_name='historicalcaptive',
            name='family_name',
            field=models.CharField(max_length=100, validators=[cases.names.name_text_validator], verbose_name='family name (Latin)'),
        ),
        migrations.AlterField(
            model_name='historicalcaptive',
            name='given_names',
            field=models.CharField(blank=True, max_length=150, validators=[cases.names.name_text_validator], verbose_name='given names (Latin)'),
        ),
        migrations.AlterField(
            model_name='historicalcaptive',
            name='name_original',
            field=models.CharField(blank=True, help_text='E.g. 김철수 or Иванов Иван.', max_length=200, validators=[cases.names.name_text_validator], verbose_name='name in original script'),
        ),
        migrations.AlterField(
            model_name='historicalcaptivename',
            name='full_name',
            field=models.CharField(max_length=200, validators=[cases.names.name_text_validator]),
        ),
    ]
