# A debrief no longer holds a safeguarding yes/no: concerns are raised as their own records
# (the concerns app), which concerns' migration 0002 copied the old answers into first.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sessions_log', '0008_follow_up_kinds'),
        ('concerns', '0002_concerns_from_debrief_flags'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='debrief',
            name='safeguarding_action',
        ),
        migrations.RemoveField(
            model_name='debrief',
            name='safeguarding_concern',
        ),
        migrations.RemoveField(
            model_name='debrief',
            name='safeguarding_told',
        ),
        migrations.RemoveField(
            model_name='historicaldebrief',
            name='safeguarding_action',
        ),
        migrations.RemoveField(
            model_name='historicaldebrief',
            name='safeguarding_concern',
        ),
        migrations.RemoveField(
            model_name='historicaldebrief',
            name='safeguarding_told',
        ),
        migrations.AlterField(
            model_name='debrief',
            name='anything_difficult',
            field=models.TextField(blank=True, help_text="Never write details of anyone's self-harm: describe feelings, themes and what was done.", max_length=4000, verbose_name='Was anything difficult?'),
        ),
        migrations.AlterField(
            model_name='historicaldebrief',
            name='anything_difficult',
            field=models.TextField(blank=True, help_text="Never write details of anyone's self-harm: describe feelings, themes and what was done.", max_length=4000, verbose_name='Was anything difficult?'),
        ),
    ]
