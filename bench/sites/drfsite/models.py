from django.db import models


class Thing(models.Model):
    """Ten columns (with the id), about what a small complaint form stores."""

    kind = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    description = models.TextField()
    province = models.CharField(max_length=2)
    regency = models.CharField(max_length=4)
    reporter_name = models.CharField(max_length=100)
    reporter_email = models.EmailField()
    status = models.CharField(max_length=20, default="new")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title
