from celery import shared_task
from django.core.mail import send_mail


@shared_task(bind=True, max_retries=5)
def send_account_email_task(self, *, to: str, subject: str, body: str) -> None:
    """Account e-mails (verification, password reset). Retried with back-off."""
    try:
        send_mail(subject, body, None, [to])
    except Exception as exc:
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
