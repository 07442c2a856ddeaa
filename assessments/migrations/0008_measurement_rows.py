# Typed measurements, step 1 of 3: the rows and the body-weight column beside the JSON (0009
# moves the values, 0010 removes the JSON).

import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0007_remove_exercise_contraindications'),
    ]

    operations = [
        migrations.CreateModel(
            name='Measurement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('measure', models.CharField(choices=[('shoulder_height', 'Shoulder height'), ('iliac_crest_height', 'Iliac-crest height'), ('leg_length', 'Leg length'), ('slr', 'Hamstring flexibility (straight-leg raise)'), ('knee_extension', 'Knee extension'), ('hip_internal_rotation', 'Hip internal rotation'), ('hip_external_rotation', 'Hip external rotation'), ('knee_to_wall', 'Ankle dorsiflexion (knee-to-wall)'), ('calf_circumference', 'Calf circumference'), ('weight_bearing', 'Weight on each foot')], max_length=40, verbose_name='measure')),
                ('side', models.CharField(choices=[('left', 'Left'), ('right', 'Right')], max_length=5, verbose_name='side')),
                ('value', models.DecimalField(decimal_places=1, max_digits=5, verbose_name='value')),
                ('unit', models.CharField(choices=[('cm', 'cm'), ('deg', 'deg'), ('%', '%'), ('kg', 'kg')], max_length=3, verbose_name='unit')),
            ],
            options={
                'verbose_name': 'measurement',
                'verbose_name_plural': 'measurements',
                'ordering': ['assessment', 'id'],
            },
        ),
        migrations.AddField(
            model_name='assessment',
            name='body_weight_kg',
            field=models.DecimalField(blank=True, decimal_places=1, max_digits=5, null=True, verbose_name='body weight (kg)'),
        ),
        migrations.AddField(
            model_name='assessment',
            name='measurements_unmigrated',
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name='measurements kept as recorded (not moved to rows)'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.CheckConstraint(condition=models.Q(('body_weight_kg__isnull', True), models.Q(('body_weight_kg__gte', Decimal('10')), ('body_weight_kg__lte', Decimal('300'))), _connector='OR'), name='body_weight_in_range'),
        ),
        migrations.AddField(
            model_name='measurement',
            name='assessment',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='measurement_rows', to='assessments.assessment', verbose_name='assessment'),
        ),
        migrations.AddConstraint(
            model_name='measurement',
            constraint=models.UniqueConstraint(fields=('assessment', 'measure', 'side'), name='one_value_per_measure_and_side'),
        ),
        migrations.AddConstraint(
            model_name='measurement',
            constraint=models.CheckConstraint(condition=models.Q(('side__in', ['left', 'right']), models.Q(models.Q(('measure', 'shoulder_height'), ('unit', 'cm'), ('value__gte', Decimal('50')), ('value__lte', Decimal('200'))), models.Q(('measure', 'iliac_crest_height'), ('unit', 'cm'), ('value__gte', Decimal('40')), ('value__lte', Decimal('150'))), models.Q(('measure', 'leg_length'), ('unit', 'cm'), ('value__gte', Decimal('40')), ('value__lte', Decimal('130'))), models.Q(('measure', 'slr'), ('unit', 'deg'), ('value__gte', Decimal('0')), ('value__lte', Decimal('120'))), models.Q(('measure', 'knee_extension'), ('unit', 'deg'), ('value__gte', Decimal('-60')), ('value__lte', Decimal('30'))), models.Q(('measure', 'hip_internal_rotation'), ('unit', 'deg'), ('value__gte', Decimal('0')), ('value__lte', Decimal('90'))), models.Q(('measure', 'hip_external_rotation'), ('unit', 'deg'), ('value__gte', Decimal('0')), ('value__lte', Decimal('90'))), models.Q(('measure', 'knee_to_wall'), ('unit', 'cm'), ('value__gte', Decimal('0')), ('value__lte', Decimal('25'))), models.Q(('measure', 'calf_circumference'), ('unit', 'cm'), ('value__gte', Decimal('15')), ('value__lte', Decimal('70'))), models.Q(('measure', 'weight_bearing'), ('unit', '%'), ('value__gte', Decimal('0')), ('value__lte', Decimal('100'))), models.Q(('measure', 'weight_bearing'), ('unit', 'kg'), ('value__gte', Decimal('0')), ('value__lte', Decimal('300'))), _connector='OR')), name='measurement_known_and_in_range'),
        ),
    ]
