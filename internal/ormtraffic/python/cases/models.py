from django.db import models


class Account(models.Model):
    owner = models.CharField(max_length=50)
    balance = models.IntegerField()
    version = models.IntegerField(default=1)

    class Meta:
        app_label = "cases"
