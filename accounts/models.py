from django.contrib.auth.models import AbstractUser
from django.db import models

from groups_site.validators import validate_single_line


class User(AbstractUser):
    """A person who plans, runs or supervises groups.

    A custom model from the first migration, as Django advises, so that fields can be
    added later without a painful switch. What a person may do is decided per group by
    their roles (see groups.models.GroupRole), not here.
    """

    # Django's own fields, refusing line breaks and invisible characters like every other name.
    first_name = models.CharField("first name", max_length=150, blank=True, validators=[validate_single_line])
    last_name = models.CharField("last name", max_length=150, blank=True, validators=[validate_single_line])

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username
