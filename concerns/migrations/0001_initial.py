# The concerns app: concerns about members kept apart from debriefs (SR-3), and each group's log of
# complaints, rules broken and arguments between members (SR-5).

import django.db.models.deletion
import groups_site.validators
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('groups', '0005_bounded_text_and_names_on_one_line'),
        ('sessions_log', '0008_follow_up_kinds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalComplaint',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('complaint', 'A complaint'), ('rule_broken', 'A ground rule broken'), ('argument', 'An argument or falling-out between members')], max_length=20, verbose_name='What it is')),
                ('happened_on', models.DateField(verbose_name='When it happened')),
                ('summary', models.TextField(help_text="A few words, without members' names (“a member”, “two members”). Feelings, not mechanics: never write details of anyone's self-harm.", max_length=1000, verbose_name='What happened')),
                ('handling', models.TextField(help_text="As the group's plan says complaints are handled: who looks into it, and how the member hears back.", max_length=1000, verbose_name='How it is being handled')),
                ('outcome', models.TextField(blank=True, max_length=1000)),
                ('closed_on', models.DateField(blank=True, null=True)),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('updated_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('closed_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('group', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='groups.supportgroup')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical complaint or rule broken',
                'verbose_name_plural': 'historical complaints and rules broken',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalConcern',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('distress', 'Distress handled in the session'), ('safeguarding', 'Safeguarding concern'), ('risk_to_life', 'Risk to life')], max_length=20)),
                ('where', models.CharField(choices=[('in_session', 'In a session'), ('phone_or_message', 'A phone call or message between sessions'), ('online_space', "In the group's online space"), ('elsewhere', 'Somewhere else between sessions')], default='in_session', max_length=20, verbose_name='Where it came up')),
                ('happened_on', models.DateField(verbose_name='When it happened')),
                ('what_was_done', models.TextField(help_text="Keep this short: the details belong in your organisation's own safeguarding records, not here. Feelings, not mechanics: never write details of anyone's self-harm.", max_length=2000, verbose_name='What was done')),
                ('who_was_told', models.CharField(blank=True, help_text='A role is enough: “the safeguarding lead”, “the crisis team”.', max_length=200, validators=[groups_site.validators.validate_single_line], verbose_name='Who was told')),
                ('told_at', models.DateTimeField(blank=True, null=True, verbose_name='When they were told')),
                ('outcome', models.TextField(blank=True, help_text="Keep this short: the details belong in your organisation's own safeguarding records, not here. Feelings, not mechanics: never write details of anyone's self-harm.", max_length=2000)),
                ('closed_on', models.DateField(blank=True, null=True)),
                ('raised_at', models.DateTimeField(blank=True, editable=False)),
                ('updated_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('closed_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('follow_up', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sessions_log.followup')),
                ('group', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='groups.supportgroup')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('member', models.ForeignKey(blank=True, db_constraint=False, help_text='Leave empty if it was not about one member.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sessions_log.member')),
                ('raised_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('session', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sessions_log.groupsession')),
            ],
            options={
                'verbose_name': 'historical concern',
                'verbose_name_plural': 'historical concerns',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Complaint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('complaint', 'A complaint'), ('rule_broken', 'A ground rule broken'), ('argument', 'An argument or falling-out between members')], max_length=20, verbose_name='What it is')),
                ('happened_on', models.DateField(verbose_name='When it happened')),
                ('summary', models.TextField(help_text="A few words, without members' names (“a member”, “two members”). Feelings, not mechanics: never write details of anyone's self-harm.", max_length=1000, verbose_name='What happened')),
                ('handling', models.TextField(help_text="As the group's plan says complaints are handled: who looks into it, and how the member hears back.", max_length=1000, verbose_name='How it is being handled')),
                ('outcome', models.TextField(blank=True, max_length=1000)),
                ('closed_on', models.DateField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('closed_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='complaints', to='groups.supportgroup')),
                ('recorded_by', models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'complaint or rule broken',
                'verbose_name_plural': 'complaints and rules broken',
                'ordering': ['-happened_on', '-created_at', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['complaint', 'rule_broken', 'argument'])), name='complaint_kind_valid'), models.CheckConstraint(condition=models.Q(models.Q(('closed_on__isnull', True), ('outcome', '')), models.Q(('closed_on__isnull', False), models.Q(('outcome', ''), _negated=True)), _connector='OR'), name='closed_complaint_has_outcome')],
            },
        ),
        migrations.CreateModel(
            name='Concern',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('distress', 'Distress handled in the session'), ('safeguarding', 'Safeguarding concern'), ('risk_to_life', 'Risk to life')], max_length=20)),
                ('where', models.CharField(choices=[('in_session', 'In a session'), ('phone_or_message', 'A phone call or message between sessions'), ('online_space', "In the group's online space"), ('elsewhere', 'Somewhere else between sessions')], default='in_session', max_length=20, verbose_name='Where it came up')),
                ('happened_on', models.DateField(verbose_name='When it happened')),
                ('what_was_done', models.TextField(help_text="Keep this short: the details belong in your organisation's own safeguarding records, not here. Feelings, not mechanics: never write details of anyone's self-harm.", max_length=2000, verbose_name='What was done')),
                ('who_was_told', models.CharField(blank=True, help_text='A role is enough: “the safeguarding lead”, “the crisis team”.', max_length=200, validators=[groups_site.validators.validate_single_line], verbose_name='Who was told')),
                ('told_at', models.DateTimeField(blank=True, null=True, verbose_name='When they were told')),
                ('outcome', models.TextField(blank=True, help_text="Keep this short: the details belong in your organisation's own safeguarding records, not here. Feelings, not mechanics: never write details of anyone's self-harm.", max_length=2000)),
                ('closed_on', models.DateField(blank=True, null=True)),
                ('raised_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('closed_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('follow_up', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='concerns', to='sessions_log.followup')),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='concerns', to='groups.supportgroup')),
                ('member', models.ForeignKey(blank=True, help_text='Leave empty if it was not about one member.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='concerns', to='sessions_log.member')),
                ('raised_by', models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('session', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='concerns', to='sessions_log.groupsession')),
            ],
            options={
                'ordering': ['-happened_on', '-raised_at', '-pk'],
                'indexes': [models.Index(fields=['group', 'closed_on'], name='concern_group_open')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['distress', 'safeguarding', 'risk_to_life'])), name='concern_kind_valid'), models.CheckConstraint(condition=models.Q(models.Q(('closed_on__isnull', True), ('outcome', '')), models.Q(('closed_on__isnull', False), models.Q(('outcome', ''), _negated=True)), _connector='OR'), name='closed_concern_has_outcome')],
            },
        ),
    ]
