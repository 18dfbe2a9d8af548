# Follow-ups that are not about a missed session: a check-in after a safeguarding concern or a
# risk to life (concerns.services.raise_concern) names no session.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sessions_log', '0007_register_totals_kept'),
    ]

    operations = [
        migrations.AddField(
            model_name='followup',
            name='kind',
            field=models.CharField(choices=[('missed_sessions', 'Missed sessions'), ('after_concern', 'Check-in after a concern')], default='missed_sessions', editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name='historicalfollowup',
            name='kind',
            field=models.CharField(choices=[('missed_sessions', 'Missed sessions'), ('after_concern', 'Check-in after a concern')], default='missed_sessions', editable=False, max_length=20),
        ),
        migrations.AlterField(
            model_name='followup',
            name='consecutive_misses',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name='followup',
            name='session',
            field=models.ForeignKey(blank=True, help_text='The session that was missed.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='sessions_log.groupsession'),
        ),
        migrations.AlterField(
            model_name='historicalfollowup',
            name='consecutive_misses',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name='followup',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'missed_sessions'), _negated=True), models.Q(('consecutive_misses__gte', 1), ('session__isnull', False)), _connector='OR'), name='missed_sessions_follow_up_names_the_session'),
        ),
    ]
