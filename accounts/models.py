from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who plans, runs or supervises groups.

    A custom model from the first migration, as Django advises, so that fields can be
    added later without a painful switch. What a person may do is decided per group by
    their roles (see groups.models.GroupRole), not here.
    """

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username
